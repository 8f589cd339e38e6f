import type { MemoryProvider } from '@fastagentic/memory';
import { EncryptedMemoryProvider, type EncryptionOptions } from '../encrypted-memory-provider.js';
import { nodeCryptoPrimitives } from './node-crypto-primitives.js';

/**
 * `withEncryption` for Node, selected by the `node` export condition: the same wrapper and wire
 * format on synchronous node:crypto, without WebCrypto's thread-pool round trip per memory.
 */
export function withEncryption(provider: MemoryProvider, options: EncryptionOptions = {}): EncryptedMemoryProvider {
  return new EncryptedMemoryProvider(provider, options, nodeCryptoPrimitives);
}
