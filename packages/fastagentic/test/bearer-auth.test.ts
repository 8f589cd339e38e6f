import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBearerVerifier } from '../src/bearer-auth.js';
import { SECRET, tokenFor } from './helpers.js';

const exp = () => Math.floor(Date.now() / 1000) + 600;

async function keyPair(algorithm: RsaHashedKeyGenParams | EcKeyGenParams, kid: string, alg: string) {
  const pair = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg };
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg };
  return { publicJwk, privateJwk };
}

describe('bearer auth', () => {
  it('HS256: reads the user id at userIdField and the roles', async () => {
    const verify = createBearerVerifier({ secret: SECRET, userIdField: 'user.id', rolesField: 'groups', adminRole: 'dpo' });
    const user = await verify(`Bearer ${await tokenFor({ user: { id: 42 }, groups: ['dpo'] })}`);
    expect(user).toMatchObject({ id: '42', roles: ['dpo'], isAdmin: true });
  });

  it('refuses missing, malformed, forged, expired, identity-less and wrong-audience tokens', async () => {
    const verify = createBearerVerifier({ secret: SECRET, audience: 'agents' });
    const good = await tokenFor({ sub: 'u1', aud: 'agents' });
    expect(await verify(`Bearer ${good}`)).toMatchObject({ id: 'u1', isAdmin: false });
    for (const header of [
      undefined,
      good,
      'Bearer',
      'Bearer a.b.c',
      `Bearer ${await tokenFor({ sub: 'u1', aud: 'agents' }, 'another-secret-0123456789abcdef-xyz')}`,
      `Bearer ${await tokenFor({ sub: 'u1', aud: 'agents', exp: Math.floor(Date.now() / 1000) - 10 })}`,
      `Bearer ${await tokenFor({ aud: 'agents' })}`,
      `Bearer ${await tokenFor({ sub: 'u1', aud: 'other' })}`,
      `Bearer ${btoa('{"alg":"none"}')}.${btoa('{"sub":"u1","aud":"agents"}')}.`,
    ]) {
      expect(await verify(header), String(header)).toBeNull();
    }
  });

  it('a token verified before is refused once it expires, and one altered byte is never trusted', async () => {
    const verify = createBearerVerifier({ secret: SECRET });
    const now = Date.now();
    const token = await tokenFor({ sub: 'u1', exp: Math.floor(now / 1000) + 30 });
    const [header, payload, signature] = token.split('.');
    const altered = `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(now);
      expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'u1' });
      expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'u1' });
      expect(await verify(`Bearer ${altered}`)).toBeNull();
      vi.setSystemTime(now + 31_000);
      expect(await verify(`Bearer ${token}`)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts only the canonical base64url spelling of a signature', async () => {
    const verify = createBearerVerifier({ secret: SECRET });
    const token = await tokenFor({ sub: 'u1' });
    const signature = token.slice(token.lastIndexOf('.') + 1);
    // An HS256 signature is 32 bytes: 43 characters whose last one carries 2 bits past the last byte.
    expect(signature).toHaveLength(43);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const trailingBitsSet = `${token.slice(0, -1)}${alphabet[last | 1]}`;
    // Decoders ignore both, so each would otherwise be a second valid token with the same signature.
    for (const variant of [`${token}=`, `${token}==`, trailingBitsSet, `${token.slice(0, -1)}+`]) {
      expect(await verify(`Bearer ${variant}`), variant.slice(-4)).toBeNull();
    }
    expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'u1' });
  });

  it('refuses a token valid for longer than the maximum lifetime (24 h past iat, or past now without iat)', async () => {
    const verify = createBearerVerifier({ secret: SECRET });
    const now = Math.floor(Date.now() / 1000);
    expect(await verify(`Bearer ${await tokenFor({ sub: 'u1', iat: now, exp: now + 86_400 })}`)).toMatchObject({ id: 'u1' });
    expect(await verify(`Bearer ${await tokenFor({ sub: 'u1', exp: now + 3_600 })}`)).toMatchObject({ id: 'u1' });
    for (const claims of [
      { iat: now, exp: now + 86_401 },
      { iat: now - 10, exp: now + 365 * 86_400 },
      { exp: now + 2 * 86_400 },
      { exp: 1e308 },
    ]) {
      expect(await verify(`Bearer ${await tokenFor({ sub: 'u1', ...claims })}`), JSON.stringify(claims)).toBeNull();
    }
    const week = createBearerVerifier({ secret: SECRET, maxTokenLifetimeSeconds: 7 * 86_400 });
    expect(await week(`Bearer ${await tokenFor({ sub: 'u1', exp: now + 2 * 86_400 })}`)).toMatchObject({ id: 'u1' });
    const unlimited = createBearerVerifier({ secret: SECRET, maxTokenLifetimeSeconds: Number.POSITIVE_INFINITY });
    expect(await unlimited(`Bearer ${await tokenFor({ sub: 'u1', exp: 1e308 })}`)).toMatchObject({ id: 'u1' });
    // Without exp (when allowed), the lifetime runs from iat.
    const noExpiry = createBearerVerifier({ secret: SECRET, allowTokensWithoutExpiry: true });
    expect(await noExpiry(`Bearer ${await sign({ sub: 'u1', iat: now - 60 }, SECRET, 'HS256')}`)).toMatchObject({ id: 'u1' });
    expect(await noExpiry(`Bearer ${await sign({ sub: 'u1', iat: now - 2 * 86_400 }, SECRET, 'HS256')}`)).toBeNull();
    expect(() => createBearerVerifier({ secret: SECRET, maxTokenLifetimeSeconds: 0 })).toThrow(/maxTokenLifetimeSeconds/);
  });

  it('rejects a configuration with neither or both key sources, or a short secret', () => {
    expect(() => createBearerVerifier({})).toThrow(MemoryConfigurationError);
    expect(() => createBearerVerifier({ secret: SECRET, jwks: { keys: [] } })).toThrow(MemoryConfigurationError);
    expect(() => createBearerVerifier({ secret: 'short' })).toThrow(/auth.secret/);
  });

  describe('JWKS', () => {
    let server: Server;
    let jwksUrl: string;
    let fetches = 0;
    let rsa: Awaited<ReturnType<typeof keyPair>>;
    let ec: Awaited<ReturnType<typeof keyPair>>;

    beforeAll(async () => {
      rsa = await keyPair({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, 'rsa-1', 'RS256');
      ec = await keyPair({ name: 'ECDSA', namedCurve: 'P-256' }, 'ec-1', 'ES256');
      server = createServer((_request, response) => {
        fetches++;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: [rsa.publicJwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('RS256 from a JWKS URL, fetched once and cached', async () => {
      const verify = createBearerVerifier({ jwks: { url: jwksUrl } });
      const token = await sign({ sub: 'rs-user', exp: exp() }, rsa.privateJwk, 'RS256');
      expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'rs-user' });
      expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'rs-user' });
      expect(fetches).toBe(1);
    });

    it('ES256 from inline keys; HS256 and unknown keys are refused', async () => {
      const verify = createBearerVerifier({ jwks: { keys: [ec.publicJwk] } });
      const token = await sign({ sub: 'ec-user', exp: exp() }, ec.privateJwk, 'ES256');
      expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'ec-user' });
      expect(await verify(`Bearer ${await tokenFor({ sub: 'ec-user' })}`)).toBeNull();
      expect(await verify(`Bearer ${await sign({ sub: 'x', exp: exp() }, rsa.privateJwk, 'RS256')}`)).toBeNull();
    });
  });
});
