import {
  InMemoryProvider,
  MemoryConfigurationError,
  MemoryError,
  MemoryValidationError,
  withMetrics,
  type Embedder,
  type MemoryCapabilities,
  type MemoryProvider,
} from '@fastagentic/memory';
import { terms } from '@fastagentic/memory/provider';
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_KEY_ENV, MemoryDecryptionError, STORED_FIELDS, withEncryption } from '../src/index.js';
import { randomKey } from './describe-encryption-guarantees.js';

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function configurationError(run: () => unknown): MemoryConfigurationError {
  try {
    run();
  } catch (error) {
    expect(MemoryConfigurationError.isInstance(error), String(error)).toBe(true);
    return error as MemoryConfigurationError;
  }
  throw new Error('expected a MemoryConfigurationError');
}

/** A real InMemoryProvider that declares different capabilities, as another backend would. */
function declaring(capabilities: Partial<MemoryCapabilities>): MemoryProvider {
  const provider = withMetrics(new InMemoryProvider(), { record: () => undefined });
  return { ...provider, capabilities: { ...provider.capabilities, ...capabilities } };
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;

describe('withEncryption options', () => {
  it('takes a key as bytes, base64 or base64url, and equal keys read each other’s data', async () => {
    const bytes = randomKey();
    const backend = new InMemoryProvider();
    const standard = toBase64(bytes);
    const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const id = await withEncryption(backend, { key: bytes }).add('u', [{ role: 'user', content: 'shared' }]);
    for (const key of [standard, urlSafe, `  ${standard}\n`]) {
      expect((await withEncryption(backend, { key }).get('u', id))?.memory).toBe('shared');
    }
  });

  it('rejects anything but 32 bytes, naming the option and never echoing the key', () => {
    const short = toBase64(randomKey().slice(0, 16));
    const cases: Array<[unknown, string]> = [
      [{ key: randomKey().slice(0, 31) }, 'key'],
      [{ key: short }, 'key'],
      [{ key: 'correct horse battery staple' }, 'key'],
      [{ key: 'not*base64*at*all' }, 'key'],
      [{ key: 42 }, 'key'],
      [{ key: new ArrayBuffer(32) }, 'key'],
      [{ key: randomKey(), keys: { k1: randomKey() }, activeKeyId: 'k1' }, 'key'],
      [{ keys: { k1: randomKey(), k2: short }, activeKeyId: 'k1' }, 'keys.k2'],
      [{ keys: { 'has.dot': randomKey() }, activeKeyId: 'has.dot' }, 'keys'],
      [{ keys: {}, activeKeyId: 'k1' }, 'keys'],
      [{ keys: { k1: randomKey() } }, 'activeKeyId'],
      [{ keys: { k1: randomKey() }, activeKeyId: 'k2' }, 'activeKeyId'],
      [{ key: randomKey(), activeKeyId: 'k1' }, 'activeKeyId'],
      [{ key: randomKey(), filterableFields: 'category' }, 'filterableFields'],
      [{ key: randomKey(), filterableFields: [''] }, 'filterableFields'],
      [{ key: randomKey(), embedder: { vectors: [] } }, 'embedder'],
      [{ key: randomKey(), cacheSize: -1 }, 'cacheSize'],
      [{ key: randomKey(), cacheSize: 1.5 }, 'cacheSize'],
    ];
    for (const [options, option] of cases) {
      const error = configurationError(() => withEncryption(new InMemoryProvider(), options as never));
      expect(error.option, JSON.stringify(options)).toBe(option);
      expect(error.message).not.toContain(short);
    }
  });

  it('refuses what is not a provider, and providers whose backend extracts facts from the messages', () => {
    expect(configurationError(() => withEncryption({} as never, { key: randomKey() })).option).toBe('provider');
    const extracted = configurationError(() => withEncryption(declaring({ storage: 'extracted' }), { key: randomKey() }));
    expect(extracted.option).toBe('provider');
    expect(extracted.message).toContain('verbatim');
  });

  it.skipIf(env === undefined)(`reads ${ENCRYPTION_KEY_ENV} when no key is given (skipped where there is no process.env)`, async () => {
    const saved = env![ENCRYPTION_KEY_ENV];
    try {
      delete env![ENCRYPTION_KEY_ENV];
      expect(configurationError(() => withEncryption(new InMemoryProvider())).message).toContain(ENCRYPTION_KEY_ENV);
      env![ENCRYPTION_KEY_ENV] = 'too short';
      expect(configurationError(() => withEncryption(new InMemoryProvider())).option).toBe(ENCRYPTION_KEY_ENV);
      const key = randomKey();
      env![ENCRYPTION_KEY_ENV] = toBase64(key);
      const backend = new InMemoryProvider();
      const id = await withEncryption(backend).add('u', [{ role: 'user', content: 'from the environment' }]);
      expect((await withEncryption(backend, { key }).get('u', id))?.memory).toBe('from the environment');
    } finally {
      if (saved === undefined) delete env![ENCRYPTION_KEY_ENV];
      else env![ENCRYPTION_KEY_ENV] = saved;
    }
  });

  it('declares exactly the filters it can rewrite onto the backend', () => {
    const key = randomKey();
    const keys = { keys: { k1: key, k2: randomKey() }, activeKeyId: 'k2' };
    expect(withEncryption(new InMemoryProvider(), { key }).capabilities.filters).toEqual(['eq', 'ne', 'in', 'nin', 'and', 'or', 'not']);
    expect(withEncryption(new InMemoryProvider(), { key, filterableFields: [] }).capabilities.filters).toEqual([]);
    const equalityOnly = declaring({ filters: ['eq', 'and'] });
    expect(withEncryption(equalityOnly, { key }).capabilities.filters).toEqual(['eq', 'and']);
    // With two keys a value has two tokens, so equality needs the backend's `in`.
    expect(withEncryption(equalityOnly, keys).capabilities.filters).toEqual([]);
    const wrapped = withEncryption(new InMemoryProvider({ ttlSeconds: 60 }), keys);
    expect(wrapped.provider).toBe('encrypted:in-memory');
    expect(wrapped.capabilities).toMatchObject({ ttl: true, storage: 'verbatim', semanticSearch: false, consistency: 'strong' });
  });

  it('rejects memories and metadata too large once encrypted, naming the field', async () => {
    const encrypted = withEncryption(new InMemoryProvider(), { key: randomKey() });
    const error = await encrypted.add('u', [{ role: 'user', content: 'a'.repeat(30_000) }]).catch((caught: unknown) => caught);
    expect(MemoryValidationError.isInstance(error) && error.field).toBe('messages');
    // Text and metadata share one envelope: together about 24,000 ASCII characters fit.
    const together = await encrypted
      .add('u', [{ role: 'user', content: 'a'.repeat(12_000) }], { blob: 'b'.repeat(13_000) })
      .catch((caught: unknown) => caught);
    expect(MemoryValidationError.isInstance(together) && together.field).toBe('metadata');
    expect(await encrypted.add('u', [{ role: 'user', content: 'a'.repeat(24_000) }], { blob: 'b' })).toBeTypeOf('string');
    expect(await encrypted.add('u', [{ role: 'user', content: 'a' }], { blob: 'b'.repeat(16_000) })).toBeTypeOf('string');
  });

  it('returns fresh metadata every time, with the cache on or off', async () => {
    for (const cacheSize of [0, 10]) {
      const encrypted = withEncryption(new InMemoryProvider(), { key: randomKey(), cacheSize });
      const id = await encrypted.add('u', [{ role: 'user', content: 'cached' }], { nested: { n: 1 } });
      const first = (await encrypted.get('u', id))!;
      (first.metadata.nested as { n: number }).n = 2;
      expect((await encrypted.get('u', id))!.metadata).toEqual({ nested: { n: 1 } });
      expect((await encrypted.search('u', 'cached'))[0]!.metadata).toEqual({ nested: { n: 1 } });
    }
  });

  it('draws a fresh IV for every ciphertext, across refills of its IV pool', async () => {
    const backend = new InMemoryProvider();
    const encrypted = withEncryption(backend, { key: randomKey(), cacheSize: 0 });
    for (let i = 0; i < 600; i++) await encrypted.add('ivs', [{ role: 'user', content: `memory ${i}` }]);
    const { memories } = await backend.getAll('ivs', { limit: 1000 });
    expect(memories).toHaveLength(600);
    expect(new Set(memories.map((memory) => memory.memory.split('.')[2])).size).toBe(600);
    expect((await encrypted.getAll('ivs', { limit: 1000 })).memories.map((memory) => memory.memory)).toContain('memory 599');
  });

  it('MemoryDecryptionError is a MemoryError recognised across copies by its marker', () => {
    const error = new MemoryDecryptionError('m1', 'reason', { keyId: 'k1' });
    expect(MemoryError.isInstance(error)).toBe(true);
    expect(MemoryDecryptionError.isInstance(error)).toBe(true);
    expect(MemoryDecryptionError.isInstance(new MemoryError('other'))).toBe(false);
    expect(MemoryDecryptionError.isInstance({ [Symbol.for('fastagentic.memory.error.decryption')]: true })).toBe(true);
    expect(error.message).toBe('Memory m1 could not be decrypted: reason');
  });
});

/** Deterministic bag-of-words vectors: texts sharing words point the same way. */
const wordEmbedder: Embedder = {
  dimensions: 64,
  modelId: 'bag-of-words-64',
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array<number>(64).fill(0);
      for (const word of terms(text)) {
        let hash = 0;
        for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
        vector[hash % 64]! += 1;
      }
      return vector;
    });
  },
};

describe('withEncryption with an embedder', () => {
  it('ranks by cosine of vectors stored encrypted', async () => {
    const backend = new InMemoryProvider();
    const encrypted = withEncryption(backend, { key: randomKey(), embedder: wordEmbedder });
    expect(encrypted.capabilities.semanticSearch).toBe(true);
    const sailing = await encrypted.add('u', [{ role: 'user', content: 'Goes sailing on the lake every summer' }]);
    await encrypted.add('u', [{ role: 'user', content: 'Allergic to penicillin' }]);
    const found = await encrypted.search('u', 'sailing lake summer');
    expect(found[0]!.id).toBe(sailing);
    expect(found[0]!.memory).toBe('Goes sailing on the lake every summer');
    expect(found[0]!.score!).toBeGreaterThan(found[1]?.score ?? 0);
    expect((await encrypted.search('u', 'sailing lake summer', { minRelevance: 0.7 })).map((memory) => memory.id)).toEqual([sailing]);
    const stored = (await backend.get('u', sailing))!;
    expect(stored.metadata[STORED_FIELDS.vector]).toMatch(/^fa1\.k1\./);
    // 64 float32 values plus the GCM tag, as unpadded base64url.
    expect((stored.metadata[STORED_FIELDS.vector] as string).split('.')[3]!.length).toBe(Math.ceil(((64 * 4 + 16) * 4) / 3));
    // The vector's ciphertext in the record's place does not open: each part is bound to its role.
    const swapped = await backend.add('u', [{ role: 'user', content: stored.metadata[STORED_FIELDS.vector] as string }], stored.metadata);
    const error = await encrypted.get('u', swapped).catch((caught: unknown) => caught);
    expect(MemoryDecryptionError.isInstance(error) && error.memoryId).toBe(swapped);
    await backend.delete('u', swapped);
  });

  it('reencryptUser moves vectors to the active key without embedding again', async () => {
    const backend = new InMemoryProvider();
    const key = randomKey();
    const id = await withEncryption(backend, { key, embedder: wordEmbedder }).add('u', [{ role: 'user', content: 'Rows a kayak at dawn' }]);
    let embedded = 0;
    const counting: Embedder = { embed: (texts, options) => ((embedded += texts.length), wordEmbedder.embed(texts, options)) };
    const rotated = withEncryption(backend, { keys: { k1: key, k2: randomKey() }, activeKeyId: 'k2', embedder: counting });
    const [{ from, to }] = (await rotated.reencryptUser('u')).moved as [{ from: string; to: string }];
    expect(from).toBe(id);
    expect(embedded).toBe(0);
    expect((await backend.get('u', to))!.metadata[STORED_FIELDS.vector]).toMatch(/^fa1\.k2\./);
    expect((await rotated.search('u', 'kayak dawn')).map((memory) => memory.id)).toEqual([to]);
  });
});

describe('withEncryption ranks like the in-memory provider', () => {
  const texts = [
    'I like red apples',
    'We drove past a red barn, bought apples, pears, bread and cheese, then went home',
    'The red car needs new tyres',
    'My favourite colour is crimson red',
    'Apples and pears grow in the orchard behind the house',
    '我喜欢吃红苹果',
    'Allergic to penicillin',
  ];
  const queries = ['red apples', 'favorite color', 'apple', '苹果', 'penicillin allergy', 'orchard house pears'];

  async function bothWith(embedder?: Embedder, blindIndexedSearch?: boolean) {
    const plain = new InMemoryProvider(embedder ? { embedder } : {});
    const backend = new InMemoryProvider();
    const encrypted = withEncryption(backend, { key: randomKey(), embedder, filterableFields: ['kind'], blindIndexedSearch });
    for (const [index, content] of texts.entries()) {
      const metadata = { kind: index % 2 === 0 ? 'even' : 'odd' };
      await plain.add('u', [{ role: 'user', content }], metadata);
      await encrypted.add('u', [{ role: 'user', content }], metadata);
    }
    return { plain, encrypted, backend };
  }

  // Memory ids (the last tie-breaker) differ between the two, so results are compared as scores in
  // rank order, with the texts of each score as a sorted group.
  const ranking = (memories: Array<{ memory: string; score?: number }>) => {
    const groups = new Map<number, string[]>();
    for (const { memory, score } of memories) groups.set(score!, [...(groups.get(score!) ?? []), memory]);
    return [...groups].map(([score, group]) => [score, group.sort()]);
  };

  const variants = [
    ['lexical, blind-indexed', undefined, undefined],
    ['lexical, blindIndexedSearch: false', undefined, false],
    ['hybrid', wordEmbedder, undefined],
  ] as const;
  for (const [name, embedder, blindIndexedSearch] of variants) {
    it(`gives the same results and scores, filtered or not (${name})`, async () => {
      const { plain, encrypted } = await bothWith(embedder, blindIndexedSearch);
      let compared = 0;
      for (const query of queries) {
        for (const options of [{}, { filters: { kind: 'odd' } }, { minRelevance: 0.5 }]) {
          const expected = ranking(await plain.search('u', query, options));
          expect(ranking(await encrypted.search('u', query, options)), `${query} ${JSON.stringify(options)}`).toEqual(expected);
          compared += expected.length;
        }
      }
      expect(compared).toBeGreaterThan(10);
    });
  }

  it('searches on the blind index without reading the user’s memories; switched off, it pages through them', async () => {
    for (const blindIndexedSearch of [true, false]) {
      const { encrypted, backend } = await bothWith(undefined, blindIndexedSearch);
      let pages = 0;
      const getAll = backend.getAll.bind(backend);
      backend.getAll = (...args) => {
        pages++;
        return getAll(...args);
      };
      const found = await encrypted.search('u', 'red apples', { filters: { kind: 'even' } });
      expect(found.map((memory) => memory.memory).sort()).toEqual([
        'Apples and pears grow in the orchard behind the house',
        'I like red apples',
        'The red car needs new tyres',
      ]);
      expect(found[0]!.memory).toBe('I like red apples');
      expect(pages).toBe(blindIndexedSearch ? 0 : 1);
    }
  });

  it('records the embedder model beside each vector and refuses to compare vectors of another model', async () => {
    const backend = new InMemoryProvider();
    const key = randomKey();
    const id = await withEncryption(backend, { key, embedder: wordEmbedder }).add('u', [{ role: 'user', content: 'Rows a kayak at dawn' }]);
    expect((await backend.get('u', id))!.metadata[STORED_FIELDS.vectorModel]).toBe('bag-of-words-64');
    const other = withEncryption(backend, { key, embedder: { ...wordEmbedder, modelId: 'another-model' } });
    await expect(other.search('u', 'kayak')).rejects.toSatisfy(
      (error: unknown) => MemoryConfigurationError.isInstance(error) && error.option === 'embedder' && /another-model/.test(error.message),
    );
    const shorter = withEncryption(backend, { key, embedder: { embed: async (list: string[]) => list.map(() => [1, 0, 0]) } });
    await expect(shorter.search('u', 'kayak')).rejects.toSatisfy(
      (error: unknown) => MemoryConfigurationError.isInstance(error) && /64 dimensions/.test(error.message),
    );
  });
});
