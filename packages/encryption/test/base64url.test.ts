import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../src/base64url.js';

/** The platform's own base64 (btoa), rewritten to unpadded base64url: the reference. */
function reference(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('base64url', () => {
  it('encodes like btoa rewritten to base64url, and decodes back, at every length remainder', () => {
    const every = Uint8Array.from({ length: 256 }, (_, index) => index);
    for (const bytes of [every, ...[0, 1, 2, 3, 4, 5, 31, 32, 33, 1100].map((length) => crypto.getRandomValues(new Uint8Array(length)))]) {
      const text = encodeBase64Url(bytes);
      expect(text).toBe(reference(bytes));
      expect(decodeBase64Url(text)).toEqual(bytes);
    }
  });

  it('rejects other characters, padding and impossible lengths', () => {
    for (const text of ['abcde', 'ab+/', 'ab==', 'abc=', 'ab c', 'abé', 'ab\u0100c', 'ab.c', 'abc\n']) {
      expect(decodeBase64Url(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
