import { InMemoryProvider, injectMemory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { normalizeForRepeat, normalizesTo } from '../src/repeat-text.js';
import { post, SECRET, tokenFor } from './helpers.js';

describe('normalizesTo', () => {
  it('agrees with normalizing in full', () => {
    const cases: [string, string][] = [
      ['I keep bees', 'i keep bees'],
      ['  I  keep\t\tBEES\r\n', 'i keep bees'],
      ['\u000b\u000cI keep bees\u000b', 'i keep bees'],
      ['I keep bees', 'i keep bee'],
      ['I keep bee', 'i keep bees'],
      ['I keepbees', 'i keep bees'],
      ['I keep  bees', 'i keepbees'],
      ['', ''],
      ['   ', ''],
      ['x', ''],
      ['', 'x'],
      // NFKC: full-width letters, a ligature, a composed and a decomposed accent, a no-break space.
      ['Ｉ keep ｂees', 'i keep bees'],
      ['I keep \ufb01sh', 'i keep fish'],
      ['cafe\u0301', 'caf\u00e9'],
      ['CAF\u00c9', 'caf\u00e9'],
      ['I\u00a0keep bees', 'i keep bees'],
      ['I\u2028keep bees', 'i keep bees'],
      // Characters next to the ASCII letters' range and spaces that `\s` does not match.
      ['@[`{', '@[`{'],
      ['a\u001cb', 'a\u001cb'],
      ['a\u001cb', 'a b'],
    ];
    for (const [memory, normalized] of cases) {
      expect(normalizesTo(memory, normalized), JSON.stringify([memory, normalized])).toBe(normalizeForRepeat(memory) === normalized);
    }
  });

  it('agrees with normalizing in full on random text', () => {
    const alphabet = ['a', 'B', 'z', 'Z', ' ', '  ', '\t', '\n', '\u000b', 'é', 'e\u0301', 'Ａ', '\u00a0', '\ufb01', 'fi', '1', '@', '['];
    let state = 42;
    // A 32-bit LCG (Numerical Recipes): the same cases on every run.
    const random = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.floor((state / 2 ** 32) * n);
    };
    const text = () => Array.from({ length: random(8) }, () => alphabet[random(alphabet.length)]).join('');
    let equal = 0;
    for (let i = 0; i < 20_000; i++) {
      const memory = text();
      // Half the time the normalized form of a near copy, so equal pairs are common too.
      const normalized = normalizeForRepeat(i % 2 === 0 ? text() : memory.toUpperCase());
      const expected = normalizeForRepeat(memory) === normalized;
      if (expected) equal++;
      expect(normalizesTo(memory, normalized), JSON.stringify([memory, normalized])).toBe(expected);
    }
    expect(equal).toBeGreaterThan(1000);
  });
});

describe('a reply that repeats a recalled memory', () => {
  it('is not stored again when only case, spacing or Unicode form differ', async () => {
    const memory = new InMemoryProvider();
    await memory.add('u1', [{ role: 'user', content: '  I keep\tBEES on the ROOF ' }]);
    await memory.add('u1', [{ role: 'user', content: 'Ｉ drink ｔea' }]);
    const app = new App({ title: 't', memory, auth: { secret: SECRET }, formation: false });
    app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable(), memory: injectMemory({ strategy: 'all' }), remember: 'user' });
    const token = await tokenFor({ sub: 'u1' });
    for (const message of ['i keep bees on the roof', 'I DRINK TEA', 'I keep bees on the roof!']) {
      expect((await post(app, '/chat', token, { message })).status).toBe(200);
    }
    await app.drain();
    const texts = (await memory.getAll('u1')).memories.map((stored) => stored.memory);
    expect(texts.sort()).toEqual(['  I keep\tBEES on the ROOF ', 'I keep bees on the roof!', 'Ｉ drink ｔea']);
  });
});
