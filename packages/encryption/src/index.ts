export {
  EncryptedMemoryProvider,
  type EncryptionOptions,
  type ReencryptedMemory,
  type ReencryptResult,
} from './encrypted-memory-provider.js';
export { MemoryDecryptionError } from './memory-decryption-error.js';
export {
  DEFAULT_KEY_ID,
  ENCRYPTION_KEY_ENV,
  type EncryptionKey,
  type EncryptionKeyOptions,
} from './parse-encryption-keys.js';
export { STORED_FIELDS } from './stored-fields.js';
export { withEncryption } from './with-encryption.js';
