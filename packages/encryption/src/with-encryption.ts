import type { MemoryProvider } from '@fastagentic/memory';
import { EncryptedMemoryProvider, type EncryptionOptions } from './encrypted-memory-provider.js';
import { webCryptoPrimitives } from './web-crypto-primitives.js';

/**
 * Encrypts memories at rest for any provider that stores messages verbatim:
 * `withEncryption(new RedisProvider(...), { key: process.env.MEMORY_KEY })`.
 * With no key option, the key comes from FASTAGENTIC_ENCRYPTION_KEY. Bad keys or a provider
 * whose backend extracts facts throw MemoryConfigurationError here, not at the first call.
 * This entry (Workers, browsers) encrypts with WebCrypto; on Node the `node` export condition
 * selects the same function on node:crypto, byte-for-byte compatible.
 */
export function withEncryption(provider: MemoryProvider, options: EncryptionOptions = {}): EncryptedMemoryProvider {
  return new EncryptedMemoryProvider(provider, options, webCryptoPrimitives);
}
