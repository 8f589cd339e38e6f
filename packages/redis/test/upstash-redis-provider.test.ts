import { terms, TERMS_VERSION } from '@fastagentic/memory/provider';
import { ProviderUnavailableError } from '@fastagentic/memory';
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { ADD_SCRIPT } from '../src/memory-scripts.js';
import { userKeys } from '../src/redis-key-layout.js';
import { UpstashRedisProvider } from '../src/upstash.js';
import { freePort, scanKeys } from '@fastagentic/test-services';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';
import { startUpstashRestServer } from './upstash-rest-server.js';

const server = await startUpstashRestServer(SHARED_REDIS_URL);
const prefix = uniquePrefix('upstash-wire');
const note = (content: string) => [{ role: 'user' as const, content }];

afterAll(async () => {
  await new UpstashRedisProvider({ url: server.url, token: server.token, prefix }).deleteAll('wire');
  await server.close();
});

describe('UpstashRedisProvider over the REST protocol', () => {
  // @upstash/redis auto-pipelines: even a lone command travels as a one-command /pipeline request.
  it('sends one EVALSHA per call in one request, with the bearer token and base64 replies', async () => {
    const provider = new UpstashRedisProvider({ url: server.url, token: server.token, prefix });
    await provider.add('wire', note('warm the script cache'));
    server.requests.length = 0;
    const id = await provider.add('wire', note('captured'), { category: 'wire' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    const keys = userKeys(prefix, 'wire');
    expect(request!.path).toBe('/pipeline');
    expect(request!.headers.authorization).toBe(`Bearer ${server.token}`);
    expect(request!.headers['upstash-encoding']).toBe('base64');
    expect(request!.body).toEqual([[
      'evalsha',
      await ADD_SCRIPT.sha1(),
      9,
      ...keys.all,
      id,
      expect.stringContaining('"memory":"captured"'),
      expect.stringMatching(/^\d+$/),
      '0',
      TERMS_VERSION,
      '',
      `1\0${terms('captured')[0]}\x011`,
      '"sessionId"',
      '',
    ]]);
    expect((await provider.get('wire', id))?.metadata).toEqual({ category: 'wire' });
  });

  it('works with a client that keeps @upstash/redis defaults (automatic JSON deserialization)', async () => {
    const client = new Redis({ url: server.url, token: server.token });
    const provider = new UpstashRedisProvider({ client, prefix });
    const id = await provider.add('wire', note('{"looks":"like json"}'), { n: 12345678901234567890, s: '42' });
    const memory = await provider.get('wire', id);
    expect(memory?.memory).toBe('{"looks":"like json"}');
    expect(memory?.metadata).toEqual({ n: 12345678901234567890, s: '42' });
    expect((await provider.getAll('wire')).memories[0]?.id).toBe(id);
    expect((await provider.search('wire', 'looks json'))[0]?.id).toBe(id);
    expect((await provider.history('wire', id)).map((entry) => entry.text)).toEqual(['{"looks":"like json"}']);
    const updated = await provider.update('wire', id, { metadata: { n: 12345678901234567890, s: '43' } }, { reason: '{"a":1}' });
    expect(updated.metadata).toEqual({ n: 12345678901234567890, s: '43' });
    expect((await provider.history('wire', id)).map((entry) => [entry.event, entry.metadata, entry.reason])).toEqual([
      ['add', { n: 12345678901234567890, s: '42' }, undefined],
      ['update', { n: 12345678901234567890, s: '43' }, '{"a":1}'],
    ]);
  });

  it('the local server answers /pipeline and /multi-exec as @upstash/redis expects', async () => {
    const client = new Redis({ url: server.url, token: server.token });
    const key = `${prefix}plain`;
    const pipeline = client.pipeline();
    pipeline.set(key, 'café');
    pipeline.get(key);
    pipeline.incr(key);
    const results = await pipeline.exec({ keepErrors: true });
    expect(results[0]).toEqual({ result: 'OK', error: undefined });
    expect(results[1]).toEqual({ result: 'café', error: undefined });
    expect(results[2]!.error).toContain('ERR');
    const transaction = client.multi();
    transaction.set(key, '1');
    transaction.incr(key);
    expect(await transaction.exec()).toEqual(['OK', 2]);
    expect(server.requests.map((request) => request.path)).toEqual(expect.arrayContaining(['/pipeline', '/multi-exec']));
    await client.del(key);
    expect(await scanKeys(Number(new URL(SHARED_REDIS_URL).port || 6379), key)).toEqual([]);
  });

  it('a wrong token is a non-retryable typed error that does not echo the memory text', async () => {
    const provider = new UpstashRedisProvider({ url: server.url, token: 'wrong', prefix });
    const error = await provider.add('wire', note('private words')).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('Unauthorized');
    expect((error as Error).message).not.toContain('private words');
  });

  it('an unreachable endpoint is a retryable typed error', async () => {
    const client = new Redis({ url: `http://127.0.0.1:${await freePort()}`, token: 't', retry: false });
    const error = await new UpstashRedisProvider({ client, prefix }).getAll('wire').catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
  });
});
