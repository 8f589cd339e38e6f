import { testHttpContract } from '@fastagentic/http-contract';
import type { Miniflare } from 'miniflare';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker } from './start-worker.js';
// The monorepo's Upstash REST stand-in, shared with the Redis adapter's own tests.
import { startUpstashRestServer, type UpstashRestServer } from '../../../packages/redis/test/upstash-rest-server.js';

const jwtSecret = 'worker-contract-secret-0123456789abcdef';
const metricsToken = 'worker-contract-metrics-token';
// A byte quota the suite reaches in a few writes of 32 KB.
const quotaMaxBytes = 256 * 1024;
let worker: Miniflare;
let baseUrl: string;

beforeAll(async () => {
  ({ worker, baseUrl } = await startWorker({
    JWT_SECRET: jwtSecret,
    SESSION_TTL_SECONDS: '1',
    METRICS_TOKEN: metricsToken,
    QUOTA_MAX_BYTES: String(quotaMaxBytes),
  }));
});
afterAll(() => worker.dispose());

testHttpContract({ name: 'workerd', baseUrl: () => baseUrl, jwtSecret, sessionTtlSeconds: 1, metricsToken, limits: { quotaMaxBytes } });

// The same bundle with a D1 binding, as wrangler.jsonc configures it: miniflare's local D1.
let d1Worker: Miniflare;
let d1BaseUrl: string;

beforeAll(async () => {
  ({ worker: d1Worker, baseUrl: d1BaseUrl } = await startWorker(
    { JWT_SECRET: jwtSecret, SESSION_TTL_SECONDS: '1', QUOTA_MAX_BYTES: String(quotaMaxBytes) },
    { MEMORY_DB: 'contract-test' },
  ));
});
afterAll(() => d1Worker.dispose());

testHttpContract({
  name: 'workerd, D1',
  baseUrl: () => d1BaseUrl,
  jwtSecret,
  sessionTtlSeconds: 1,
  metricsProvider: 'd1',
  limits: { quotaMaxBytes },
});

it('the D1 run really stored its memories in D1', async () => {
  const database = await d1Worker.getD1Database('MEMORY_DB');
  const row = await database.prepare('SELECT count(*) AS n FROM memory_memories').first<{ n: number }>();
  expect(row!.n).toBeGreaterThan(0);
});

// The same bundle with its Upstash and encryption secrets set: memory goes through @upstash/redis
// to a local server speaking Upstash's REST protocol in front of the machine's real Redis.
const runPrefix = `fastagentic-test:worker-contract:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let upstash: UpstashRestServer;
let upstashWorker: Miniflare;
let upstashBaseUrl: string;

beforeAll(async () => {
  upstash = await startUpstashRestServer(redisUrl);
  ({ worker: upstashWorker, baseUrl: upstashBaseUrl } = await startWorker({
      JWT_SECRET: jwtSecret,
      SESSION_TTL_SECONDS: '1',
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      MEMORY_PREFIX: runPrefix,
      FASTAGENTIC_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    }));
});
afterAll(async () => {
  await upstashWorker.dispose();
  await upstash.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

testHttpContract({
  name: 'workerd, Upstash + encryption',
  baseUrl: () => upstashBaseUrl,
  jwtSecret,
  sessionTtlSeconds: 1,
  metricsProvider: 'encrypted:upstash-redis',
});

it('the Upstash run really stored its memories in Redis, as ciphertext', async () => {
  expect(upstash.requests.length).toBeGreaterThan(0);
  expect(upstash.requests.every((request) => request.headers.authorization === `Bearer ${upstash.token}`)).toBe(true);
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${runPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const values = (await Promise.all(keys.filter((key) => key.endsWith(':r')).map((key) => redis.hvals(key)))).flat();
    expect(values.length).toBeGreaterThan(0);
    // Texts the contract suite sends in plain words never appear in what Redis holds.
    for (const value of values) expect(value).not.toMatch(/Metrics fodder|You said/);
  } finally {
    redis.disconnect();
  }
});
