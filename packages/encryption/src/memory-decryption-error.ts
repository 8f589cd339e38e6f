import { MemoryError, type MemoryErrorOptions } from '@fastagentic/memory';

const MARKER = 'fastagentic.memory.error.decryption';
const DECRYPTION = Symbol.for(MARKER);

/**
 * A stored memory could not be decrypted: it was tampered with, moved from another memory or
 * user, written with a key this wrapper does not hold, or not written by the wrapper at all.
 * Raised instead of ever returning undecryptable bytes as text.
 */
export class MemoryDecryptionError extends MemoryError {
  private readonly [DECRYPTION] = true;
  /** The backend's id of the memory that failed. */
  readonly memoryId: string;
  /** The key id named in the ciphertext, when it could be read. */
  readonly keyId: string | undefined;

  constructor(memoryId: string, reason: string, options: MemoryErrorOptions & { keyId?: string } = {}) {
    super(`Memory ${memoryId} could not be decrypted: ${reason}`, options);
    this.name = 'MemoryDecryptionError';
    this.memoryId = memoryId;
    this.keyId = options.keyId;
  }

  static override isInstance(error: unknown): error is MemoryDecryptionError {
    return MemoryError.hasMarker(error, MARKER);
  }
}
