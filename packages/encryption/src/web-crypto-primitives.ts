import type { CryptoPrimitives } from './crypto-primitives.js';

const ALGORITHMS = {
  cipher: { algorithm: { name: 'AES-GCM', length: 256 }, usages: ['encrypt', 'decrypt'] },
  mac: { algorithm: { name: 'HMAC', hash: 'SHA-256', length: 256 }, usages: ['sign'] },
} as const;

/** WebCrypto (`globalThis.crypto.subtle`): Workers, browsers, and any runtime without node:crypto. */
export const webCryptoPrimitives: CryptoPrimitives<CryptoKey> = {
  async deriveKey(secret, salt, info, use) {
    const base = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
    const { algorithm, usages } = ALGORITHMS[use];
    return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info }, base, algorithm, false, [...usages]);
  },

  async encrypt(key, iv, plaintext, associatedData) {
    return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: associatedData }, key, plaintext));
  },

  async decrypt(key, iv, sealed, associatedData) {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: associatedData }, key, sealed));
  },

  async hmacSha256(key, data) {
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
  },
};
