import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../src/rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('writes one line per kind per interval and counts the rest into the next line', () => {
    let now = 0;
    const lines: [string, Record<string, unknown>][] = [];
    const log = new RateLimitedLog((key, details) => lines.push([key, details]), 1000, () => now);
    for (let i = 0; i < 500; i++) log.log('retrying', { i });
    log.log('failed', { i: -1 });
    now = 1500;
    log.log('retrying', { i: 500 });
    expect(lines).toEqual([
      ['retrying', { i: 0 }],
      ['failed', { i: -1 }],
      ['retrying', { i: 500, repeatedSinceLastLine: 499 }],
    ]);
  });
});
