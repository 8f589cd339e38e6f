import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import type { CryptoPrimitives } from './crypto-primitives.js';
import { MemoryDecryptionError } from './memory-decryption-error.js';
import { KEY_ID, type ParsedEncryptionKeys } from './parse-encryption-keys.js';
import { processCached } from './process-key-cache.js';

/** Version tag of the envelope `fa1.<keyId>.<iv>.<ciphertext>`; also bound into the associated data. */
const ENVELOPE_VERSION = 'fa1';
const IV_BYTES = 12;
/** IVs drawn per CSPRNG call: one call costs about as much as encrypting a 1 KiB memory. */
const IV_BATCH = 256;
const TAG_BYTES = 16;
/** Blind-index tokens keep 128 of HMAC-SHA256's 256 bits: collisions stay out of reach, rows stay small. */
const TOKEN_BYTES = 16;
const TOKEN_CACHE_SIZE = 10_000;
/** Tokens kept per user, beside the user's term key. */
const USER_TOKEN_CACHE_SIZE = 20_000;

interface UserTermKey {
  key: Promise<unknown>;
  tokens: Map<string, string>;
}

const encoder = new TextEncoder();
const HKDF_SALT = encoder.encode('fastagentic-encryption');
const CIPHER_INFO = encoder.encode('aes-256-gcm v1');
const INDEX_INFO = encoder.encode('blind-index hmac-sha256 v1');
const TERM_INFO_PREFIX = 'blind-index terms hmac-sha256 v1\0';

/**
 * The keys, and everything done with them: sealing and opening envelopes with AES-256-GCM and
 * computing blind-index tokens with HMAC-SHA256. Both working keys are derived from each
 * configured key with HKDF, so the raw key never serves two algorithms. Each key is derived
 * when first needed and kept for the process (`processCached`), so a new ring derives none again.
 */
export class KeyRing {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  private readonly rawKeys: Map<string, Uint8Array<ArrayBuffer>>;
  /** This ring's working keys by use and key id, so each envelope skips the process-wide lookup. */
  private readonly workingKeys = new Map<string, Promise<unknown>>();
  private readonly tokenCache = new Map<string, Promise<string[]>>();
  private ivPool = new Uint8Array(0);
  private ivOffset = 0;

  constructor(
    keys: ParsedEncryptionKeys,
    private readonly primitives: CryptoPrimitives,
  ) {
    this.rawKeys = keys.keys;
    this.activeKeyId = keys.activeKeyId;
    this.keyIds = [...keys.keys.keys()];
  }

  /** Associated data: the ciphertext only opens for this user, this record and this part of it. */
  static associatedData(userId: string, recordId: string, part: string): Uint8Array<ArrayBuffer> {
    return encoder.encode(JSON.stringify([ENVELOPE_VERSION, userId, recordId, part]));
  }

  async seal(plaintext: Uint8Array<ArrayBuffer>, associatedData: Uint8Array<ArrayBuffer>): Promise<string> {
    const key = await this.workingKey(this.activeKeyId, 'cipher');
    const iv = this.nextIv();
    const ciphertext = await this.primitives.encrypt(key, iv, plaintext, associatedData);
    return `${ENVELOPE_VERSION}.${this.activeKeyId}.${encodeBase64Url(iv)}.${encodeBase64Url(ciphertext)}`;
  }

  /** A fresh random IV; each byte of the pool is handed out once. */
  private nextIv(): Uint8Array<ArrayBuffer> {
    if (this.ivOffset === this.ivPool.length) {
      this.ivPool = crypto.getRandomValues(new Uint8Array(IV_BYTES * IV_BATCH));
      this.ivOffset = 0;
    }
    this.ivOffset += IV_BYTES;
    return this.ivPool.subarray(this.ivOffset - IV_BYTES, this.ivOffset);
  }

  /** Throws MemoryDecryptionError naming `memoryId` for anything but an intact envelope under a known key. */
  async open(envelope: unknown, associatedData: Uint8Array<ArrayBuffer>, memoryId: string): Promise<Uint8Array<ArrayBuffer>> {
    const parts = typeof envelope === 'string' ? envelope.split('.') : [];
    const [version, keyId, ivText, ciphertextText] = parts;
    const iv = ivText === undefined ? undefined : decodeBase64Url(ivText);
    const ciphertext = ciphertextText === undefined ? undefined : decodeBase64Url(ciphertextText);
    if (
      parts.length !== 4 ||
      version !== ENVELOPE_VERSION ||
      !KEY_ID.test(keyId!) ||
      iv?.length !== IV_BYTES ||
      !ciphertext ||
      ciphertext.length < TAG_BYTES
    ) {
      throw new MemoryDecryptionError(memoryId, 'not an encryption envelope written by withEncryption');
    }
    if (!this.rawKeys.has(keyId!)) {
      throw new MemoryDecryptionError(memoryId, `written with key "${keyId}", which is not among the configured keys`, {
        keyId,
      });
    }
    const key = await this.workingKey(keyId!, 'cipher');
    try {
      return await this.primitives.decrypt(key, iv, ciphertext, associatedData);
    } catch (cause) {
      throw new MemoryDecryptionError(
        memoryId,
        `authentication failed under key "${keyId}": the ciphertext was altered, moved from another memory or user, or written with a different key of the same id`,
        { cause, keyId },
      );
    }
  }

  /** The key id an envelope names, without opening it; undefined when it is not an envelope. */
  keyIdOf(envelope: unknown): string | undefined {
    if (typeof envelope !== 'string' || !envelope.startsWith(`${ENVELOPE_VERSION}.`)) return undefined;
    return envelope.split('.', 3)[1];
  }

  /**
   * The token of `input` under every configured key, active key first: data written under any
   * key matches. Cached, since the same few values (a user's categories) recur on every write.
   */
  indexTokens(input: string): Promise<string[]> {
    let tokens = this.tokenCache.get(input);
    if (tokens === undefined) {
      tokens = this.computeTokens(input);
      if (this.tokenCache.size >= TOKEN_CACHE_SIZE) this.tokenCache.delete(this.tokenCache.keys().next().value!);
      this.tokenCache.set(input, tokens);
      tokens.catch(() => this.tokenCache.delete(input));
    }
    return tokens;
  }

  private async computeTokens(input: string): Promise<string[]> {
    const data = encoder.encode(input);
    const ordered = [this.activeKeyId, ...this.keyIds.filter((id) => id !== this.activeKeyId)];
    return Promise.all(ordered.map(async (id) => this.token(await this.workingKey(id, 'index'), data)));
  }

  private async token(key: unknown, data: Uint8Array<ArrayBuffer>): Promise<string> {
    const mac = await this.primitives.hmacSha256(key, data);
    return encodeBase64Url(mac.subarray(0, TOKEN_BYTES));
  }

  /**
   * The blind-index token of each term for this user under key `keyId`, in order (repeats
   * kept): HMAC-SHA256 under a key derived with HKDF from the configured key and the user id,
   * so the same word gives unrelated tokens for different users, truncated to 128 bits.
   */
  async termTokens(userId: string, memoryTerms: readonly string[], keyId: string): Promise<string[]> {
    const user = this.userTermKey(userId, keyId);
    const tokens = new Array<string>(memoryTerms.length);
    for (let i = 0; i < memoryTerms.length; i++) {
      const term = memoryTerms[i]!;
      let token = user.tokens.get(term);
      if (token === undefined) {
        token = await this.token(await user.key, encoder.encode(term));
        if (user.tokens.size >= USER_TOKEN_CACHE_SIZE) user.tokens.clear();
        user.tokens.set(term, token);
      }
      tokens[i] = token;
    }
    return tokens;
  }

  /** Kept for the process, shared by every ring with the same key material (bounded, oldest users dropped first). */
  private userTermKey(userId: string, keyId: string): UserTermKey {
    const raw = this.rawKeys.get(keyId)!;
    return processCached(
      this.primitives,
      raw,
      `terms\0${userId}`,
      (): UserTermKey => ({
        key: this.primitives.deriveKey(raw, HKDF_SALT, encoder.encode(TERM_INFO_PREFIX + userId), 'mac'),
        tokens: new Map(),
      }),
      (entry) => entry.key,
    );
  }

  /**
   * The AES-256-GCM key (`cipher`) or blind-index key (`index`) of `keyId`, derived on first
   * use: a search derives only what it opens and matches with, never every configured key.
   */
  private workingKey(keyId: string, use: 'cipher' | 'index'): Promise<unknown> {
    const name = `${use}\0${keyId}`;
    let key = this.workingKeys.get(name);
    if (key === undefined) {
      const raw = this.rawKeys.get(keyId)!;
      key = processCached(
        this.primitives,
        raw,
        use,
        () =>
          use === 'cipher'
            ? this.primitives.deriveKey(raw, HKDF_SALT, CIPHER_INFO, 'cipher')
            : this.primitives.deriveKey(raw, HKDF_SALT, INDEX_INFO, 'mac'),
        (derived) => derived,
      );
      this.workingKeys.set(name, key);
      key.catch(() => this.workingKeys.delete(name));
    }
    return key;
  }
}
