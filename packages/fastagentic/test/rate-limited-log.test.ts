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
      ['retrying', { i: 499, repeatedSinceLastLine: 499 }],
      ['retrying', { i: 500 }],
    ]);
  });

  it('writes the count of the last window when it ends, with no further line to carry it', async () => {
    const lines: [string, Record<string, unknown>][] = [];
    const log = new RateLimitedLog((key, details) => lines.push([key, details]), 50);
    for (let i = 0; i < 10; i++) log.log('warn', { i });
    expect(lines).toEqual([['warn', { i: 0 }]]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual([
      ['warn', { i: 0 }],
      ['warn', { i: 9, repeatedSinceLastLine: 9 }],
    ]);
  });

  it('flush writes open counts at once', () => {
    const lines: [string, Record<string, unknown>][] = [];
    const log = new RateLimitedLog((key, details) => lines.push([key, details]), 60_000);
    log.log('a', {});
    log.log('a', {});
    log.flush();
    log.flush();
    expect(lines).toEqual([
      ['a', {}],
      ['a', { repeatedSinceLastLine: 1 }],
    ]);
  });
});
