import { MemoryValidationError, UnsupportedFilterError, type Memory, type MemoryProvider, type Metadata } from '@fastagentic/memory';
import { terms } from '@fastagentic/memory/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDecryptionError, STORED_FIELDS, withEncryption, type EncryptedMemoryProvider } from '../src/index.js';

export interface EncryptionGuaranteesOptions {
  /** Shown in the suite title, e.g. `InMemoryProvider`. */
  name: string;
  /** A fresh backend in a namespace no other run shares (a fresh key prefix for Redis). */
  createBackend: () => MemoryProvider | Promise<MemoryProvider>;
  /**
   * Everything the backend holds, as one string (for Redis: every key and value under the
   * prefix). Default: the backend's own getAll of the users the suite wrote.
   */
  dumpBackend?: (backend: MemoryProvider, userIds: readonly string[]) => Promise<string>;
  destroyBackend?: (backend: MemoryProvider) => void | Promise<void>;
}

export function randomKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

async function captureError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectDecryptionError(error: unknown, memoryId: string): void {
  expect(MemoryDecryptionError.isInstance(error), `expected MemoryDecryptionError, got ${String(error)}`).toBe(true);
  expect((error as MemoryDecryptionError).memoryId).toBe(memoryId);
}

/** Flips one base64url character of the envelope's last segment (or of the segment given). */
function tamper(envelope: string, segment = 3): string {
  const parts = envelope.split('.');
  const target = parts[segment]!;
  const index = Math.floor(target.length / 2);
  parts[segment] = target.slice(0, index) + (target[index] === 'A' ? 'B' : 'A') + target.slice(index + 1);
  return parts.join('.');
}

/**
 * What encryption at rest promises, proved against a real backend through its own interface:
 * no plaintext reaches it, tampered or moved ciphertext never decrypts, wrong keys fail with a
 * typed error, rotation keeps old data readable and moves it. Backend-agnostic, so the same
 * suite runs for every verbatim-storage provider.
 */
export function describeEncryptionGuarantees(options: EncryptionGuaranteesOptions): void {
  const runId = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const users: string[] = [];
  const user = (label: string) => {
    const id = `encryption-${runId}-${label}-${++counter}`;
    users.push(id);
    return id;
  };
  let backend: MemoryProvider;
  let encrypted: EncryptedMemoryProvider;
  const key = randomKey();
  const filterableFields = ['category', 'source', 'categories'];

  /** Writes a record straight to the backend, as an attacker with write access to it could. */
  const plant = (userId: string, text: string, metadata: Metadata) =>
    backend.add(userId, [{ role: 'user', content: text }], metadata);
  const raw = async (userId: string, id: string): Promise<Memory> => (await backend.get(userId, id))!;
  /** The tokens withEncryption hands the backend for `text` of this user, as the backend received them. */
  const tokensOf = async (userId: string, text: string): Promise<string[]> => {
    let captured: string[] | undefined;
    const recording = Object.create(backend) as MemoryProvider;
    recording.add = async (id, messages, metadata, addOptions) => {
      captured = addOptions?.indexTerms;
      const stored = await backend.add(id, messages, metadata, addOptions);
      await backend.delete(id, stored);
      return stored;
    };
    await withEncryption(recording, { key, filterableFields }).add(userId, [{ role: 'user', content: text }]);
    return captured!;
  };

  describe(`withEncryption(${options.name}): encryption guarantees`, { timeout: 30_000 }, () => {
    beforeAll(async () => {
      backend = await options.createBackend();
      encrypted = withEncryption(backend, { key, filterableFields });
    });

    afterAll(async () => {
      for (const userId of users) await backend.deleteAll(userId).catch(() => undefined);
      await options.destroyBackend?.(backend);
    });

    it('the backend holds no plaintext of the memory, its metadata keys or values', async () => {
      const userId = user('plaintext');
      const metadata = {
        category: 'cardiology',
        diagnosis: 'hypertensionxq',
        nested: { note: 'marmaladezz', list: ['pomegranatevv', 42424242] },
        categories: ['quincecat'],
      };
      const id = await encrypted.add(userId, [{ role: 'user', content: 'My locker code is zanzibar quokka 7781' }], metadata);
      await encrypted.add(userId, [
        { role: 'user', content: 'Remind me about the okapi appointment' },
        { role: 'assistant', content: 'Sure, the okapi appointment' },
      ]);
      expect((await encrypted.get(userId, id))?.memory).toBe('My locker code is zanzibar quokka 7781');
      expect(await encrypted.search(userId, 'zanzibar quokka', { filters: { category: 'cardiology' } })).toHaveLength(1);
      expect((await encrypted.getAll(userId, { filters: { categories: 'quincecat' } })).memories).toHaveLength(1);

      const dump = options.dumpBackend
        ? await options.dumpBackend(backend, [userId])
        : JSON.stringify((await backend.getAll(userId)).memories);
      expect(dump).toContain(id);
      for (const secret of [
        'zanzibar',
        'quokka',
        '7781',
        'okapi',
        'cardiology',
        'diagnosis',
        'hypertensionxq',
        'marmaladezz',
        'pomegranatevv',
        '42424242',
        'quincecat',
      ]) {
        expect(dump.toLowerCase(), `backend holds "${secret}"`).not.toContain(secret);
      }
      for (const stored of (await backend.getAll(userId)).memories) {
        expect(stored.memory).toMatch(/^fa1\.k1\.[\w-]{16}\.[\w-]+$/);
        expect(
          Object.keys(stored.metadata).every(
            (key) => key === STORED_FIELDS.recordId || key === STORED_FIELDS.termsIndex || key.startsWith(STORED_FIELDS.index),
          ),
        ).toBe(true);
      }
    });

    it('update and history keep every version as ciphertext at rest, and history decrypts them', async (ctx) => {
      if (!encrypted.update || !encrypted.history || !encrypted.capabilities.update || !encrypted.capabilities.history) {
        return ctx.skip('the backend declares no update and history');
      }
      const userId = user('versions');
      const id = await encrypted.add(userId, [{ role: 'user', content: 'My safe code is wombat 1234' }], { category: 'vaultqq' });
      const updated = await encrypted.update(userId, id, { text: 'My safe code is platypus 5678', metadata: { category: 'lockerqq', room: 'atticzz' } }, { reason: 'user' });
      expect(updated).toMatchObject({ id, memory: 'My safe code is platypus 5678', metadata: { category: 'lockerqq', room: 'atticzz' } });
      expect((await encrypted.search(userId, 'platypus', { filters: { category: 'lockerqq' } })).map((memory) => memory.id)).toEqual([id]);
      expect(await encrypted.search(userId, 'wombat')).toEqual([]);
      const metadataOnly = await encrypted.update(userId, id, { metadata: { category: 'vaultqq' } });
      expect(metadataOnly.memory, 'a metadata-only update keeps the text').toBe('My safe code is platypus 5678');
      expect((await encrypted.search(userId, 'platypus', { filters: { category: 'vaultqq' } })).map((memory) => memory.id)).toEqual([id]);
      await encrypted.delete(userId, id);
      expect(await encrypted.history(userId, id)).toEqual([
        expect.objectContaining({ event: 'add', previousText: null, text: 'My safe code is wombat 1234', metadata: { category: 'vaultqq' } }),
        expect.objectContaining({
          event: 'update',
          previousText: 'My safe code is wombat 1234',
          text: 'My safe code is platypus 5678',
          metadata: { category: 'lockerqq', room: 'atticzz' },
          reason: 'user',
        }),
        expect.objectContaining({ event: 'update', previousText: 'My safe code is platypus 5678', text: 'My safe code is platypus 5678', metadata: { category: 'vaultqq' } }),
        expect.objectContaining({ event: 'delete', previousText: 'My safe code is platypus 5678', text: null, metadata: null }),
      ]);
      const versions = JSON.stringify(await backend.history!(userId, id));
      const dump = (options.dumpBackend ? await options.dumpBackend(backend, [userId]) : '') + versions;
      expect(versions).toContain('fa1.');
      for (const secret of ['wombat', '1234', 'platypus', '5678', 'vaultqq', 'lockerqq', 'atticzz', 'room']) {
        expect(dump.toLowerCase(), `backend holds "${secret}"`).not.toContain(secret);
      }
    });

    it('the same plaintext encrypts differently every time (fresh IV)', async () => {
      const userId = user('iv');
      const first = await encrypted.add(userId, [{ role: 'user', content: 'same words' }], { category: 'x' });
      const second = await encrypted.add(userId, [{ role: 'user', content: 'same words' }], { category: 'x' });
      const [a, b] = [await raw(userId, first), await raw(userId, second)];
      expect(a.memory).not.toBe(b.memory);
      expect(a.memory.split('.')[2]).not.toBe(b.memory.split('.')[2]);
    });

    it('round-trips unicode and a large memory exactly', async () => {
      const userId = user('unicode');
      const text = `Ünïcødé ✓ 🧪 ユーザー "quotes" \\ ${'long '.repeat(3_000)}`;
      const metadata = { emoji: '🔐', deep: { list: [1, 'two', null, true], empty: {} }, zero: 0 };
      const id = await encrypted.add(userId, [{ role: 'user', content: text }], metadata);
      const memory = await encrypted.get(userId, id);
      expect(memory?.memory).toBe(text);
      expect(memory?.metadata).toEqual(metadata);
    });

    it('tampered ciphertext, IV or record id raise MemoryDecryptionError naming the memory, never garbage', async () => {
      const userId = user('tamper');
      const id = await encrypted.add(userId, [{ role: 'user', content: 'Untouched original text' }], { category: 'a' });
      expect((await encrypted.get(userId, id))?.memory).toBe('Untouched original text');
      const original = await raw(userId, id);
      const forgeries: Array<[string, Metadata]> = [
        [tamper(original.memory), original.metadata],
        [tamper(original.memory, 2), original.metadata],
        [original.memory.slice(0, -4), original.metadata],
        [original.memory.replace('fa1.', 'fa2.'), original.metadata],
        [original.memory, { ...original.metadata, [STORED_FIELDS.recordId]: crypto.randomUUID() }],
        [original.memory, { category: 'a' }],
        ['Plaintext someone wrote around the wrapper', { category: 'a' }],
      ];
      // Planted with the original's term tokens, so a blind-indexed search returns them too.
      const indexTerms = await tokensOf(userId, 'Untouched original text');
      for (const [text, metadata] of forgeries) {
        const forged = await backend.add(userId, [{ role: 'user', content: text }], metadata, { indexTerms });
        expectDecryptionError(await captureError(() => encrypted.get(userId, forged)), forged);
        expectDecryptionError(await captureError(() => encrypted.getAll(userId)), forged);
        expectDecryptionError(await captureError(() => encrypted.search(userId, 'untouched original')), forged);
        await backend.delete(userId, forged);
      }
      expect((await encrypted.get(userId, id))?.memory).toBe('Untouched original text');
    });

    it('a ciphertext moved to another user does not decrypt', async () => {
      const alice = user('alice');
      const bob = user('bob');
      const id = await encrypted.add(alice, [{ role: 'user', content: 'Alice private note' }], { category: 'a' });
      // Read once first: what the wrapper has already decrypted must not open for anyone else either.
      expect((await encrypted.get(alice, id))?.memory).toBe('Alice private note');
      const original = await raw(alice, id);
      const moved = await plant(bob, original.memory, original.metadata);
      expectDecryptionError(await captureError(() => encrypted.get(bob, moved)), moved);
      expectDecryptionError(await captureError(() => encrypted.getAll(bob)), moved);
    });

    it('a ciphertext moved between memories of one user does not decrypt', async () => {
      const userId = user('swap');
      const first = await raw(userId, await encrypted.add(userId, [{ role: 'user', content: 'First memory' }], { category: 'a' }));
      const second = await raw(userId, await encrypted.add(userId, [{ role: 'user', content: 'Second memory' }], { category: 'b' }));
      expect((await encrypted.getAll(userId)).memories).toHaveLength(2);
      const swapped = await plant(userId, first.memory, second.metadata);
      expectDecryptionError(await captureError(() => encrypted.get(userId, swapped)), swapped);
      const swappedBack = await plant(userId, second.memory, first.metadata);
      expectDecryptionError(await captureError(() => encrypted.get(userId, swappedBack)), swappedBack);
    });

    it('a wrong key, or a key id it does not hold, raises MemoryDecryptionError', async () => {
      const userId = user('wrong-key');
      const id = await encrypted.add(userId, [{ role: 'user', content: 'Needs the right key' }]);
      const sameIdOtherKey = withEncryption(backend, { key: randomKey() });
      const error = await captureError(() => sameIdOtherKey.get(userId, id));
      expectDecryptionError(error, id);
      expect((error as MemoryDecryptionError).keyId).toBe('k1');
      const otherId = withEncryption(backend, { keys: { k9: randomKey() }, activeKeyId: 'k9' });
      const unknown = await captureError(() => otherId.getAll(userId));
      expectDecryptionError(unknown, id);
      expect(String(unknown)).toContain('"k1"');
    });

    it('wrappers made per call share derived keys only with the same key material', async () => {
      // Keys are derived once per process and shared: a wrapper per search must still find the
      // user's memories under the same key, and a different key under the same id must not reuse them.
      const userId = user('per-call');
      await encrypted.add(userId, [{ role: 'user', content: 'Prefers oolong tea in the morning' }]);
      for (let call = 0; call < 3; call++) {
        const found = await withEncryption(backend, { key, filterableFields }).search(userId, 'oolong');
        expect(found.map((memory) => memory.memory)).toEqual(['Prefers oolong tea in the morning']);
      }
      expect(await withEncryption(backend, { key: randomKey(), filterableFields }).search(userId, 'oolong')).toEqual([]);
      expect(await withEncryption(backend, { key, filterableFields }).search(userId, 'oolong')).toHaveLength(1);
    });

    it('a forged blind-index token cannot smuggle a memory into filtered results', async () => {
      const userId = user('forged-index');
      const tea = await raw(userId, await encrypted.add(userId, [{ role: 'user', content: 'Likes tea' }], { category: 'drinks' }));
      const coffee = await raw(userId, await encrypted.add(userId, [{ role: 'user', content: 'Likes coffee' }], { category: 'work' }));
      // Give the tea record coffee's category token: the backend now matches it for category=work.
      const forged = await plant(userId, tea.memory, { ...tea.metadata, fa_bi_category: coffee.metadata.fa_bi_category! });
      await backend.delete(userId, tea.id);
      const page = await encrypted.getAll(userId, { filters: { category: 'work' } });
      expect(page.memories.map((memory) => memory.id)).toEqual([coffee.id]);
      const found = await encrypted.search(userId, 'likes', { filters: { category: 'work' } });
      expect(found.map((memory) => memory.id)).toEqual([coffee.id]);
      expect((await encrypted.get(userId, forged))?.metadata).toEqual({ category: 'drinks' });
    });

    it('blind-index tokens differ between users and fields for the same value', async () => {
      const first = user('index-a');
      const second = user('index-b');
      const a = await raw(first, await encrypted.add(first, [{ role: 'user', content: 'x' }], { category: 'same', source: 'same' }));
      const b = await raw(second, await encrypted.add(second, [{ role: 'user', content: 'x' }], { category: 'same' }));
      expect(a.metadata.fa_bi_category).not.toBe(b.metadata.fa_bi_category);
      expect(a.metadata.fa_bi_category).not.toBe(a.metadata.fa_bi_source);
      expect(a.metadata.fa_bi_category).not.toContain('same');
    });

    it('filters on undeclared fields, and range operators on declared ones, throw UnsupportedFilterError', async () => {
      const userId = user('unsupported');
      const indexable = ['eq', 'ne', 'in', 'nin', 'and', 'or', 'not'];
      expect(encrypted.capabilities.filters).toEqual(indexable.filter((operator) => backend.capabilities.filters.includes(operator as never)));
      const undeclared = await captureError(() => encrypted.getAll(userId, { filters: { diagnosis: 'x' } }));
      expect(UnsupportedFilterError.isInstance(undeclared)).toBe(true);
      expect((undeclared as UnsupportedFilterError).field).toBe('diagnosis');
      const range = await captureError(() => encrypted.search(userId, 'q', { filters: { category: { gt: 'a' } } }));
      expect(UnsupportedFilterError.isInstance(range)).toBe(true);
      expect((range as UnsupportedFilterError).operator).toBe('gt');
    });

    it('blind-indexed search: the backend gets keyed tokens, different for each user, and ranks them', async () => {
      expect(backend.capabilities.suppliedTerms, 'a term-indexing backend').toBe(true);
      const handed: Array<{ userId: string; indexTerms: string[] | undefined }> = [];
      // Records what reaches the backend's add, as the backend itself sees it.
      const recording = Object.create(backend) as MemoryProvider;
      recording.add = (userId, messages, metadata, addOptions) => {
        handed.push({ userId, indexTerms: addOptions?.indexTerms });
        return backend.add(userId, messages, metadata, addOptions);
      };
      const viaRecording = withEncryption(recording, { key, filterableFields });
      const first = user('tokens-a');
      const second = user('tokens-b');
      const text = 'Zebra crossing near the zebra enclosure';
      const a = await viaRecording.add(first, [{ role: 'user', content: text }]);
      await viaRecording.add(second, [{ role: 'user', content: text }]);
      const [tokensA, tokensB] = handed.map((entry) => entry.indexTerms!);
      expect(tokensA!.length).toBe(terms(text).length);
      // Repeats stay repeats (term frequency), and a token says nothing of its word.
      expect(new Set(tokensA).size).toBe(new Set(terms(text)).size);
      for (const token of tokensA!) expect(token).toMatch(/^[\w-]{22}$/);
      expect(tokensA!.filter((token) => tokensB!.includes(token))).toEqual([]);

      const found = await encrypted.search(first, 'zebra');
      expect(found.map((memory) => [memory.id, memory.memory])).toEqual([[a, text]]);
      expect(found[0]!.score).toBeGreaterThan(0);
      // The first user's tokens, asked of the second user's index, find nothing of the first user.
      const swapped = await backend.search(second, 'x', { queryTerms: [...new Set(tokensA)], limit: 100 });
      expect(swapped.filter((memory) => memory.id === a || memory.userId === first)).toEqual([]);
      expect(swapped).toEqual([]);
    });

    it('tampered or swapped tokens never return another user’s memory', async () => {
      const victim = user('victim');
      const attacker = user('attacker');
      const secret = await raw(victim, await encrypted.add(victim, [{ role: 'user', content: 'Vault combination walrus' }]));
      const own = await raw(attacker, await encrypted.add(attacker, [{ role: 'user', content: 'Vault combination walrus' }]));
      const attackerTokens = (await backend.search(attacker, 'x', { queryTerms: ['x'] })).length;
      expect(attackerTokens).toBe(0);
      // The victim's ciphertext planted in the attacker's store under the attacker's own tokens (read
      // from the attacker's rows): the store returns it, but it only opens for the victim.
      const tokens = await tokensOf(attacker, 'Vault combination walrus');
      const planted = await backend.add(attacker, [{ role: 'user', content: secret.memory }], secret.metadata, { indexTerms: tokens });
      const error = await captureError(() => encrypted.search(attacker, 'walrus', { limit: 100 }));
      expectDecryptionError(error, planted);
      await backend.delete(attacker, planted);
      // Tokens of the attacker's record altered: the search simply misses it, and finds nothing else.
      await backend.add(attacker, [{ role: 'user', content: own.memory }], own.metadata, { indexTerms: tokens.map((token) => `${token}x`) });
      const found = await encrypted.search(attacker, 'walrus', { limit: 100 });
      expect(found.map((memory) => memory.id)).toEqual([own.id]);
      expect(found.every((memory) => memory.userId === attacker)).toBe(true);
    });

    it('rotation: old keys decrypt, new writes use the active key, reencryptUser moves the rest', async () => {
      const userId = user('rotation');
      const oldKey = key;
      const newKey = randomKey();
      const old1 = await encrypted.add(userId, [{ role: 'user', content: 'Written under the first key' }], { category: 'old', n: 1 });
      const old2 = await encrypted.add(userId, [{ role: 'user', content: 'Also under the first key' }], { category: 'old', n: 2 });
      const rotated = withEncryption(backend, { keys: { k1: oldKey, k2: newKey }, activeKeyId: 'k2', filterableFields });
      expect((await rotated.get(userId, old1))?.memory).toBe('Written under the first key');
      const fresh = await rotated.add(userId, [{ role: 'user', content: 'Written under the second key' }], { category: 'new' });
      expect((await raw(userId, fresh)).memory.startsWith('fa1.k2.')).toBe(true);
      // Equality filters match tokens of every configured key.
      expect((await rotated.getAll(userId, { filters: { category: 'old' } })).memories.map((memory) => memory.id)).toEqual([old2, old1]);
      expect((await rotated.getAll(userId, { filters: { category: { ne: 'old' } } })).memories.map((memory) => memory.id)).toEqual([fresh]);
      // Each value becomes one token per key: the list bound of the backend holds for the tokens.
      const values = (count: number) => Array.from({ length: count }, (_, index) => `category-${index}`);
      expect((await rotated.getAll(userId, { filters: { category: { in: ['old', ...values(49)] } } })).memories).toHaveLength(2);
      const overBound = await captureError(() => rotated.getAll(userId, { filters: { category: { in: values(51) } } }));
      expect(MemoryValidationError.isInstance(overBound), String(overBound)).toBe(true);
      expect((overBound as MemoryValidationError).field).toBe('options.filters.category.in');

      // Search queries the tokens of every configured key, so memories not yet moved are found.
      expect((await rotated.search(userId, 'first key', { limit: 100 })).map((memory) => memory.id).sort()).toEqual(
        [old1, old2, fresh].sort(),
      );

      const { moved } = await rotated.reencryptUser(userId);
      expect(moved.map((entry) => entry.from)).toEqual([old1, old2]);
      const after = await rotated.getAll(userId);
      expect(after.memories.map((memory) => memory.memory)).toEqual([
        'Also under the first key',
        'Written under the first key',
        'Written under the second key',
      ]);
      expect(after.memories.map((memory) => memory.id)).toEqual([moved[1]!.to, moved[0]!.to, fresh]);
      expect(after.memories[1]!.metadata).toEqual({ category: 'old', n: 1 });
      expect(await rotated.get(userId, old1)).toBeNull();
      for (const stored of (await backend.getAll(userId)).memories) expect(stored.memory.startsWith('fa1.k2.')).toBe(true);
      // The first key can now be retired.
      const newOnly = withEncryption(backend, { keys: { k2: newKey }, activeKeyId: 'k2', filterableFields });
      expect((await newOnly.getAll(userId, { filters: { category: 'old' } })).memories).toHaveLength(2);
      // reencryptUser rewrote the term tokens too: the new key alone finds every memory.
      expect((await newOnly.search(userId, 'first key', { limit: 100 })).map((memory) => memory.memory).sort()).toEqual([
        'Also under the first key',
        'Written under the first key',
        'Written under the second key',
      ]);
      expect((await rotated.reencryptUser(userId)).moved).toEqual([]);
    });

    it('reencryptUser finishes an interrupted run without duplicating memories', async () => {
      const userId = user('resume');
      const id = await encrypted.add(userId, [{ role: 'user', content: 'Survives a crash mid-rotation' }]);
      const before = await raw(userId, id);
      const rotated = withEncryption(backend, { keys: { k1: key, k2: randomKey() }, activeKeyId: 'k2' });
      const [{ to }] = (await rotated.reencryptUser(userId)).moved as [{ from: string; to: string }];
      // As if the process died after adding the new copy but before deleting the old one.
      const leftover = await plant(userId, before.memory, before.metadata);
      expect((await rotated.reencryptUser(userId)).moved).toEqual([{ from: leftover, to }]);
      expect((await rotated.getAll(userId)).memories.map((memory) => memory.id)).toEqual([to]);
    });
  });
}
