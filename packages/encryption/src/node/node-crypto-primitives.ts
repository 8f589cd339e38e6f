import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { CryptoPrimitives } from '../crypto-primitives.js';

const KEY_BYTES = 32;
const TAG_BYTES = 16;

/**
 * Synchronous `node:crypto`: Node runs every `crypto.subtle` call on its thread pool and
 * resolves a promise afterwards, which costs far more than AES-GCM of a memory takes inline.
 * Same algorithms, same bytes as `webCryptoPrimitives`.
 */
export const nodeCryptoPrimitives: CryptoPrimitives<KeyObject> = {
  async deriveKey(secret, salt, info) {
    // The raw HKDF output is the key for either use; Node's KeyObject keeps it out of reach.
    return createSecretKey(new Uint8Array(hkdfSync('sha256', secret, salt, info, KEY_BYTES)));
  },

  async encrypt(key, iv, plaintext, associatedData) {
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    const sealed = new Uint8Array(head.length + tail.length + TAG_BYTES);
    sealed.set(head);
    sealed.set(tail, head.length);
    sealed.set(tag, head.length + tail.length);
    return sealed;
  },

  async decrypt(key, iv, sealed, associatedData) {
    const split = sealed.length - TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(sealed.subarray(split));
    const head = decipher.update(sealed.subarray(0, split));
    const tail = decipher.final();
    // Copied out of Node's shared buffer pool, where a view may start at any byte offset.
    const plaintext = new Uint8Array(head.length + tail.length);
    plaintext.set(head);
    plaintext.set(tail, head.length);
    return plaintext;
  },

  async hmacSha256(key, data) {
    return new Uint8Array(createHmac('sha256', key).update(data).digest());
  },
};
