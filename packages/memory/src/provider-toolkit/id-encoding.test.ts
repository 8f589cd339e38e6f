import { expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, encodeUrlSegment } from './id-encoding.js';

const LOOK_ALIKES = ['Alice', 'alice', ' alice', 'alice ', 'caf\u00e9', 'cafe\u0301', 'zw', 'z\u200bw', '..', '/', 'a:b', 'ユーザー😀'];

it('base64url keeps look-alike ids apart, uses a safe alphabet and round-trips', () => {
  const encoded = LOOK_ALIKES.map(base64UrlEncode);
  expect(new Set(encoded).size).toBe(LOOK_ALIKES.length);
  for (const [index, value] of encoded.entries()) {
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(base64UrlDecode(value)).toBe(LOOK_ALIKES[index]);
  }
  expect(() => base64UrlDecode('a+b')).toThrow();
});

it('a URL segment cannot walk the path or add a query', () => {
  expect(encodeUrlSegment('a/b?c#d')).toBe('a%2Fb%3Fc%23d');
  expect(() => encodeUrlSegment('..')).toThrow(RangeError);
  expect(() => encodeUrlSegment('.')).toThrow(RangeError);
  expect(new URL(`https://svc.test/users/${encodeUrlSegment('../x')}/memories`).pathname).toBe('/users/..%2Fx/memories');
  expect(new URL(`https://svc.test/users/${base64UrlEncode('..')}/memories`).pathname).toBe('/users/Li4/memories');
});
