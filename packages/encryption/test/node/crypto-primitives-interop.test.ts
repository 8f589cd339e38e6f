import { InMemoryProvider, type Embedder, type Memory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import type { CryptoPrimitives } from '../../src/crypto-primitives.js';
import { MemoryDecryptionError, STORED_FIELDS, withEncryption } from '../../src/index.js';
import { nodeCryptoPrimitives } from '../../src/node/node-crypto-primitives.js';
import { withEncryption as withNodeEncryption } from '../../src/node/with-encryption.js';
import { webCryptoPrimitives } from '../../src/web-crypto-primitives.js';
import { withEncryption as withWebEncryption } from '../../src/with-encryption.js';
import { randomKey } from '../describe-encryption-guarantees.js';

// Node only: node:crypto and WebCrypto side by side, proving they are interchangeable on the wire.
// Typed as the key ring sees them: keys are opaque, and each implementation gets only its own.
const nodeCrypto: CryptoPrimitives = nodeCryptoPrimitives;
const webCrypto: CryptoPrimitives = webCryptoPrimitives;
const pairs = [
  [['node:crypto', nodeCrypto], ['WebCrypto', webCrypto]],
  [['WebCrypto', webCrypto], ['node:crypto', nodeCrypto]],
] as const;

const encoder = new TextEncoder();
const salt = encoder.encode('fastagentic-encryption');
const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));

async function derived(primitives: CryptoPrimitives, secret: Uint8Array<ArrayBuffer>) {
  return {
    cipher: await primitives.deriveKey(secret, salt, encoder.encode('aes-256-gcm v1'), 'cipher'),
    mac: await primitives.deriveKey(secret, salt, encoder.encode('blind-index hmac-sha256 v1'), 'mac'),
  };
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

function expectDecryptionError(error: unknown, memoryId: string): void {
  expect(MemoryDecryptionError.isInstance(error), `expected MemoryDecryptionError, got ${String(error)}`).toBe(true);
  expect((error as MemoryDecryptionError).memoryId).toBe(memoryId);
}

/** Flips one bit in the middle of the envelope's ciphertext, re-encoded as base64url. */
function tamper(envelope: string): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[3]!, 'base64url');
  bytes[bytes.length >> 1]! ^= 1;
  parts[3] = bytes.toString('base64url');
  return parts.join('.');
}

/** Two words per text, one-hot over a small vocabulary: enough to rank by cosine. */
const embedder: Embedder = {
  async embed(texts) {
    const vocabulary = ['tea', 'coffee', 'rain', 'sun'];
    return texts.map((text) => vocabulary.map((word) => (text.includes(word) ? 1 : 0.01)));
  },
};

describe('CryptoPrimitives: node:crypto and WebCrypto give the same bytes', () => {
  it('the Node test run goes through the node:crypto entry, as the node export condition selects', () => {
    expect(withEncryption).toBe(withNodeEncryption);
    expect(withEncryption).not.toBe(withWebEncryption);
  });

  it('derived keys encrypt to identical ciphertext and tags, and MAC to identical HMACs', async () => {
    for (let round = 0; round < 5; round++) {
      const secret = random(32);
      const [node, web] = await Promise.all([derived(nodeCrypto, secret), derived(webCrypto, secret)]);
      const iv = random(12);
      for (const length of [0, 1, 15, 16, 17, 1024, 20_000]) {
        const plaintext = random(length);
        const associatedData = random(round * 7);
        const fromNode = await nodeCrypto.encrypt(node.cipher, iv, plaintext, associatedData);
        const fromWeb = await webCrypto.encrypt(web.cipher, iv, plaintext, associatedData);
        expect(fromNode.length).toBe(length + 16);
        expect(Buffer.from(fromNode).equals(Buffer.from(fromWeb))).toBe(true);
        const data = random(length);
        const macs = [await nodeCrypto.hmacSha256(node.mac, data), await webCrypto.hmacSha256(web.mac, data)];
        expect(macs[0]).toHaveLength(32);
        expect(Buffer.from(macs[0]!).equals(Buffer.from(macs[1]!))).toBe(true);
      }
      // The two derivations differ: one raw key never serves two algorithms.
      const data = random(64);
      const asMac = await nodeCrypto.hmacSha256(node.mac, data);
      const asCipherKeyMac = await nodeCrypto.hmacSha256(node.cipher, data);
      expect(Buffer.from(asMac).equals(Buffer.from(asCipherKeyMac))).toBe(false);
    }
  });

  for (const [[writerName, writer], [readerName, reader]] of pairs) {
    it(`${writerName} seals, ${readerName} opens; ${readerName} rejects tampering, wrong AAD and wrong keys`, async () => {
      const secret = random(32);
      const [sealing, opening, other] = await Promise.all([derived(writer, secret), derived(reader, secret), derived(reader, random(32))]);
      const iv = random(12);
      const plaintext = random(1024);
      const associatedData = encoder.encode('["fa1","user","record","record"]');
      const sealed = await writer.encrypt(sealing.cipher, iv, plaintext, associatedData);
      const opened = await reader.decrypt(opening.cipher, iv, sealed, associatedData);
      expect(opened.byteOffset).toBe(0);
      expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true);

      const flipped = (index: number) => {
        const copy = sealed.slice();
        copy[index]! ^= 0x80;
        return copy;
      };
      const otherIv = iv.slice();
      otherIv[0]! ^= 1;
      const failures: Array<() => Promise<unknown>> = [
        () => reader.decrypt(opening.cipher, iv, flipped(10), associatedData),
        () => reader.decrypt(opening.cipher, iv, flipped(sealed.length - 1), associatedData),
        () => reader.decrypt(opening.cipher, iv, sealed.slice(0, -1), associatedData),
        () => reader.decrypt(opening.cipher, otherIv, sealed, associatedData),
        () => reader.decrypt(opening.cipher, iv, sealed, encoder.encode('["fa1","user","other","record"]')),
        () => reader.decrypt(other.cipher, iv, sealed, associatedData),
      ];
      for (const failure of failures) expect(await rejection(failure)).toBeInstanceOf(Error);
    });
  }

  for (const [[writerName, writer], [readerName, reader]] of pairs) {
    it(`memories written through ${writerName} read, search and filter through ${readerName}`, async () => {
      const backend = new InMemoryProvider();
      const options = { key: randomKey(), filterableFields: ['category', 'categories'], embedder };
      const writing = writer === nodeCrypto ? withNodeEncryption(backend, options) : withWebEncryption(backend, options);
      const reading = reader === nodeCrypto ? withNodeEncryption(backend, options) : withWebEncryption(backend, options);
      const userId = `interop-${writerName}`;
      const tea = await writing.add(userId, [{ role: 'user', content: 'I drink tea when it rains' }], {
        category: 'drinks',
        categories: ['habits'],
      });
      await writing.add(userId, [{ role: 'user', content: 'Coffee in the sun' }], { category: 'drinks' });

      expect((await reading.get(userId, tea))?.memory).toBe('I drink tea when it rains');
      const found = await reading.search(userId, 'tea and rain', { filters: { category: 'drinks' }, limit: 1 });
      expect(found.map((memory) => memory.id)).toEqual([tea]);
      // Blind-index tokens agree: the reader's filter finds the writer's tokens in the backend.
      expect((await reading.getAll(userId, { filters: { categories: 'habits' } })).memories.map((memory) => memory.id)).toEqual([tea]);
      expect((await reading.getAll(userId, { filters: { category: { ne: 'drinks' } } })).memories).toEqual([]);
    });
  }

  it('the same metadata gets the same blind-index tokens from both implementations', async () => {
    const backend = new InMemoryProvider();
    const options = { keys: { k1: randomKey(), k2: randomKey() }, activeKeyId: 'k2', filterableFields: ['category', 'categories'] };
    const metadata = { category: 'health', categories: ['diet', 'sleep'], other: 'secret' };
    const ids = [
      await withNodeEncryption(backend, options).add('tokens', [{ role: 'user', content: 'a' }], metadata),
      await withWebEncryption(backend, options).add('tokens', [{ role: 'user', content: 'a' }], metadata),
    ];
    const stored = await Promise.all(ids.map((id) => backend.get('tokens', id) as Promise<Memory>));
    const indexFields = (memory: Memory) =>
      Object.fromEntries(Object.entries(memory.metadata).filter(([field]) => field.startsWith(STORED_FIELDS.index)));
    expect(Object.keys(indexFields(stored[0]!))).toEqual(['fa_bi_category', 'fa_bi_categories']);
    expect(indexFields(stored[0]!)).toEqual(indexFields(stored[1]!));
    expect(stored[0]!.memory.split('.')[1]).toBe('k2');
  });

  it('on node:crypto, a tampered, moved or foreign-key record raises MemoryDecryptionError naming it', async () => {
    const backend = new InMemoryProvider();
    const key = randomKey();
    const web = withWebEncryption(backend, { key });
    const node = withNodeEncryption(backend, { key });
    const id = await web.add('owner', [{ role: 'user', content: 'written by WebCrypto' }]);
    const stored = (await backend.get('owner', id))!;
    const plant = (userId: string, memory: string) =>
      backend.add(userId, [{ role: 'user', content: memory }], { [STORED_FIELDS.recordId]: stored.metadata[STORED_FIELDS.recordId]! });

    const tampered = await plant('owner', tamper(stored.memory));
    expectDecryptionError(await rejection(() => node.get('owner', tampered)), tampered);
    // Associated data: the same envelope under another user does not authenticate.
    const moved = await plant('intruder', stored.memory);
    expectDecryptionError(await rejection(() => node.get('intruder', moved)), moved);
    // Same key id, different key bytes.
    expectDecryptionError(await rejection(() => withNodeEncryption(backend, { key: randomKey() }).get('owner', id)), id);
    expect((await node.get('owner', id))?.memory).toBe('written by WebCrypto');
  });
});
