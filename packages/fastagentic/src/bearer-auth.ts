import { extractUserId, MemoryConfigurationError } from '@fastagentic/memory';
import { decode, verify, verifyWithJwks } from 'hono/jwt';

type JwtPayload = Awaited<ReturnType<typeof verify>>;
type JsonWebKeyWithId = JsonWebKey & { kid?: string; alg?: string };

export interface BearerAuthOptions {
  /** HS256 shared secret (at least 32 characters). Give this or `jwks`. */
  secret?: string;
  /** RS256 / ES256 public keys, inline (`keys`) or fetched from `url` (cached, refetched for an unknown `kid`). */
  jwks?: { keys?: JsonWebKeyWithId[]; url?: string };
  /** Dotted path of the user id in the token's claims. Default `sub`. */
  userIdField?: string;
  /** Claim holding the user's roles (a string or an array of strings). Default `roles`. */
  rolesField?: string;
  /** The role that may erase any user's memories. Default `admin`. */
  adminRole?: string;
  /** Expected `iss` claim, when set. */
  issuer?: string;
  /** Expected `aud` claim, when set. */
  audience?: string;
  /**
   * Accept tokens without an `exp` claim (they would be valid forever). Default false: such a
   * token is refused.
   */
  allowTokensWithoutExpiry?: boolean;
  /**
   * The longest a token may be valid: `exp` at most this many seconds past `iat` (or past now when
   * the token has no `iat`). Default 86 400 (24 h); `Infinity` turns the check off.
   */
  maxTokenLifetimeSeconds?: number;
  /** How long a JWKS fetch may take. Default 5000 ms. */
  jwksTimeoutMs?: number;
  /** Told when fetching the JWKS fails (the token is then refused with a 401). */
  onJwksError?: (error: unknown) => void;
}

/** The caller, as proven by a verified token. */
export interface AuthenticatedUser {
  id: string;
  roles: string[];
  isAdmin: boolean;
  claims: JwtPayload;
}

/** Resolves to the verified user, or null for a missing, malformed, expired or badly signed token. */
export type BearerVerifier = (authorization: string | undefined) => Promise<AuthenticatedUser | null>;

const MIN_SECRET_LENGTH = 32;
const JWKS_REFETCH_INTERVAL_MS = 30_000;
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
/** Verified tokens kept, so a client's next request skips the signature check (WebCrypto's HMAC costs ~100 µs a call on Node). */
const VERIFIED_CACHE_SIZE = 10_000;
/** How long a verified token is trusted without checking it again: bounds how long a key dropped from a JWKS still lets it in. */
const VERIFIED_CACHE_MS = 60_000;
/** How long past its `iat` a token is accepted when `maxTokenLifetimeSeconds` is not set: a day. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;
/** The base64url alphabet, in the order of the values its characters stand for. */
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `segment` is the one base64url spelling of its bytes: no padding, no other characters, and
 * zero bits after the last byte. Decoders ignore those bits and `=`, so without this one signature
 * has several spellings: several distinct tokens with the same signature.
 */
function isCanonicalBase64url(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return false;
  // Bits the last character carries beyond the last whole byte, by length mod 4 (1 is never valid).
  const unusedBits = [0, -1, 4, 2][segment.length % 4]!;
  if (unusedBits < 0) return false;
  return (BASE64URL.indexOf(segment[segment.length - 1]!) & ((1 << unusedBits) - 1)) === 0;
}

/** Whether the token's `exp` (seconds) lies within `maxSeconds` of its `iat`, or of now without one. */
function withinLifetime(claims: JwtPayload, maxSeconds: number, nowMs: number): boolean {
  if (maxSeconds === Number.POSITIVE_INFINITY) return true;
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : undefined;
  if (typeof claims.exp !== 'number') return issuedAt === undefined || nowMs / 1000 - issuedAt <= maxSeconds;
  return claims.exp - (issuedAt ?? nowMs / 1000) <= maxSeconds;
}

function rolesOf(claims: JwtPayload, rolesField: string): string[] {
  const value = claims[rolesField];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  return [];
}

/**
 * Keys from a JWKS URL, fetched on first use and again (at most every 30 s) when a token names an
 * unknown `kid`. One fetch at a time: concurrent requests with an unknown `kid` share it.
 */
function jwksKeySource(jwks: NonNullable<BearerAuthOptions['jwks']>, timeoutMs: number, onError: (error: unknown) => void) {
  let fetched: JsonWebKeyWithId[] = [];
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  const refresh = async () => {
    fetchedAt = Date.now();
    try {
      const response = await fetch(jwks.url!, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('JWKS has no "keys" array');
      fetched = body.keys as JsonWebKeyWithId[];
    } catch (error) {
      onError(error);
    }
  };
  return async (kid: string | undefined): Promise<JsonWebKeyWithId[]> => {
    const known = () => [...(jwks.keys ?? []), ...fetched];
    if (jwks.url && !known().some((key) => key.kid === kid)) {
      if (inFlight === undefined && Date.now() - fetchedAt > JWKS_REFETCH_INTERVAL_MS) {
        inFlight = refresh().finally(() => (inFlight = undefined));
      }
      await inFlight;
    }
    return known();
  };
}

/**
 * Builds the verifier for `Authorization: Bearer <jwt>`: HS256 with a secret, or RS256/ES256 with
 * a JWKS. The user id is read from the claims at `userIdField`; a token without one is refused.
 */
export function createBearerVerifier(options: BearerAuthOptions): BearerVerifier {
  const hasSecret = typeof options.secret === 'string';
  const hasJwks = options.jwks !== undefined && (options.jwks.keys !== undefined || options.jwks.url !== undefined);
  if (hasSecret === hasJwks) {
    throw new MemoryConfigurationError('auth', 'give exactly one of auth.secret (HS256) or auth.jwks (RS256/ES256)');
  }
  if (hasSecret && options.secret!.length < MIN_SECRET_LENGTH) {
    throw new MemoryConfigurationError('auth.secret', `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const userIdField = options.userIdField ?? 'sub';
  const rolesField = options.rolesField ?? 'roles';
  const adminRole = options.adminRole ?? 'admin';
  const verification = { iss: options.issuer, aud: options.audience };
  const maxLifetime = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!(maxLifetime > 0)) {
    throw new MemoryConfigurationError('auth.maxTokenLifetimeSeconds', 'must be a positive number of seconds (Infinity for no limit)');
  }

  let verifyToken: (token: string) => Promise<JwtPayload>;
  if (hasSecret) {
    // Imported once: re-importing the key on every request costs more than the HMAC itself.
    const key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(options.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    verifyToken = async (token) => verify(token, await key, { alg: 'HS256', ...verification });
  } else {
    const jwksTimeoutMs = options.jwksTimeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS;
    if (!(Number.isFinite(jwksTimeoutMs) && jwksTimeoutMs > 0)) {
      throw new MemoryConfigurationError('auth.jwksTimeoutMs', 'must be a positive number of milliseconds');
    }
    const keysFor = jwksKeySource(options.jwks!, jwksTimeoutMs, options.onJwksError ?? (() => {}));
    verifyToken = async (token) => {
      const keys = await keysFor(decode(token).header.kid);
      return verifyWithJwks(token, { keys, allowedAlgorithms: ['RS256', 'ES256'], verification });
    };
  }

  // Keyed by the whole token, signature included: only the exact string that verified is trusted.
  const verified = new Map<string, { user: AuthenticatedUser; until: number }>();
  return async (authorization) => {
    const match = authorization === undefined ? null : /^Bearer\s+([^\s]+)\s*$/i.exec(authorization);
    if (!match) return null;
    const token = match[1]!;
    if (!isCanonicalBase64url(token.slice(token.lastIndexOf('.') + 1))) return null;
    const now = Date.now();
    const cached = verified.get(token);
    if (cached) {
      if (now < cached.until) return { ...cached.user, roles: [...cached.user.roles] };
      verified.delete(token);
    }
    try {
      const claims = await verifyToken(token);
      // hono/jwt checks `exp` only when present: a token without one would never expire.
      if (typeof claims.exp !== 'number' && !options.allowTokensWithoutExpiry) return null;
      if (!withinLifetime(claims, maxLifetime, now)) return null;
      const roles = rolesOf(claims, rolesField);
      const user = { id: extractUserId(claims, userIdField), roles, isAdmin: roles.includes(adminRole), claims };
      // Trusted until it expires (`exp` is in seconds), and for a minute at most.
      const until = Math.min(now + VERIFIED_CACHE_MS, typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, { user, until });
      return { ...user, roles: [...roles] };
    } catch {
      return null;
    }
  };
}
