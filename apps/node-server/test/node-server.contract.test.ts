import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testHttpContract } from '@fastagentic/http-contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';

const jwtSecret = 'node-contract-secret-0123456789abcdef';
const metricsToken = 'node-contract-metrics-token';
// A byte quota the suite reaches in a few writes of 32 KB.
const quotaMaxBytes = 256 * 1024;
let server: RunningNodeServer;
// The default stores: a libSQL file in a data folder of this run's own.
const dataFolder = mkdtempSync(join(tmpdir(), 'fastagentic-node-contract-'));

beforeAll(async () => {
  server = await startNodeServer({
    env: {
      PORT: '0',
      JWT_SECRET: jwtSecret,
      SESSION_TTL_SECONDS: '1',
      FASTAGENTIC_DATA_DIR: dataFolder,
      METRICS_TOKEN: metricsToken,
      QUOTA_MAX_BYTES: String(quotaMaxBytes),
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dataFolder, { recursive: true, force: true });
});

testHttpContract({
  name: 'node, libSQL file',
  baseUrl: () => server.url,
  jwtSecret,
  sessionTtlSeconds: 1,
  metricsProvider: 'libsql',
  metricsToken,
  limits: { quotaMaxBytes },
});

// The same contract with Redis behind both stores and encryption in front of them.
let encryptedRedisServer: RunningNodeServer;
const runPrefix = `fastagentic-test:node-contract:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  encryptedRedisServer = await startNodeServer({
    env: {
      PORT: '0',
      JWT_SECRET: jwtSecret,
      SESSION_TTL_SECONDS: '1',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      // The prefix is ours alone (no pattern characters), so KEYS on it below touches only this run.
      REDIS_MEMORY_PREFIX: `${runPrefix}:memory:`,
      REDIS_SESSION_PREFIX: `${runPrefix}:session:`,
      FASTAGENTIC_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    },
  });
});
afterAll(async () => {
  await encryptedRedisServer.close();
  // Leave nothing of this run in the shared Redis.
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${runPrefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

testHttpContract({
  name: 'node, Redis + encryption',
  baseUrl: () => encryptedRedisServer.url,
  jwtSecret,
  sessionTtlSeconds: 1,
  metricsProvider: 'encrypted:redis',
});
