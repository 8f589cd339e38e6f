/**
 * The cryptography the key ring needs, so each runtime can use its fastest implementation:
 * WebCrypto everywhere (`webCryptoPrimitives`), synchronous `node:crypto` on Node
 * (`nodeCryptoPrimitives`, which skips the thread-pool round trip Node's WebCrypto makes per
 * call). Both must give identical bytes for identical inputs: the IV and every HKDF input come
 * from the caller.
 */
export interface CryptoPrimitives<Key = unknown> {
  /** HKDF-SHA256 of `secret` to a 256-bit key for AES-256-GCM (`cipher`) or HMAC-SHA256 (`mac`). */
  deriveKey(
    secret: Uint8Array<ArrayBuffer>,
    salt: Uint8Array<ArrayBuffer>,
    info: Uint8Array<ArrayBuffer>,
    use: 'cipher' | 'mac',
  ): Promise<Key>;
  /** AES-256-GCM: the ciphertext followed by its 16-byte tag. */
  encrypt(
    key: Key,
    iv: Uint8Array<ArrayBuffer>,
    plaintext: Uint8Array<ArrayBuffer>,
    associatedData: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Opens what `encrypt` gave, into bytes of their own (offset 0, so they can back a
   * Float32Array); rejects when the tag does not authenticate.
   */
  decrypt(
    key: Key,
    iv: Uint8Array<ArrayBuffer>,
    sealed: Uint8Array<ArrayBuffer>,
    associatedData: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array<ArrayBuffer>>;
  /** HMAC-SHA256: 32 bytes. */
  hmacSha256(key: Key, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
}
