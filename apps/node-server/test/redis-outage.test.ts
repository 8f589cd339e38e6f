import { RedisProvider } from '@fastagentic/redis';
import { RedisServerProcess } from '@fastagentic/test-services';
import type { AppLogger } from 'fastagentic';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';

const jwtSecret = 'node-outage-secret-0123456789abcdefgh';
const USERS = 8;
const CHATS_PER_USER = 12;

let redis: RedisServerProcess;
let server: RunningNodeServer;
const lines: { level: string; message: string }[] = [];
const logger: AppLogger = {
  warn: (message) => lines.push({ level: 'warn', message }),
  error: (message) => lines.push({ level: 'error', message }),
};

beforeAll(async () => {
  // Durable on every write, so what Redis acknowledged survives the kill.
  redis = await RedisServerProcess.start(['--appendonly', 'yes', '--appendfsync', 'always']);
  server = await startNodeServer({
    env: { PORT: '0', JWT_SECRET: jwtSecret, REDIS_URL: redis.url, MEMORY_BUDGET_MS: '300' },
    logger,
  });
}, 30_000);
afterAll(async () => {
  await server?.close();
  await redis?.destroy();
});

const token = (userId: string) => sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 600 }, jwtSecret, 'HS256');

async function chat(userId: string, message: string): Promise<number> {
  const response = await fetch(`${server.url}/chat/recent`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function forget(userId: string): Promise<number> {
  const response = await fetch(`${server.url}/users/${userId}/forget`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(userId)}` },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('Redis stopped for 5 s while chats stream in', () => {
  it('answers every chat, then stores every promised exchange once, in order; a forget during the outage holds', async () => {
    const statuses: number[] = [];
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await redis.stop();
      // While Redis is down: a user who chats, then is forgotten.
      for (let i = 0; i < 3; i++) statuses.push(await chat('forgotten', `My secret is ${i}`));
      // A forget during the outage answers 503 and leaves the writes queued; the client retries it.
      expect(await forget('forgotten')).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await redis.start();
      // Retried until the store answers (the client reconnects with backoff).
      const deadline = Date.now() + 15_000;
      while ((await forget('forgotten')) !== 200) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await Promise.all(
      Array.from({ length: USERS }, async (_, user) => {
        for (let i = 0; i < CHATS_PER_USER; i++) {
          // First-person statements, so formation keeps each one.
          statuses.push(await chat(`user-${user}`, `I keep note n${i}u${user}`));
          await new Promise((resolve) => setTimeout(resolve, 400));
        }
      }),
    );
    await outage;
    expect(statuses).toHaveLength(USERS * CHATS_PER_USER + 3);
    expect(statuses.every((status) => status === 200)).toBe(true);

    await server.app.drain();
    const reader = new RedisProvider({ url: redis.url });
    try {
      for (let user = 0; user < USERS; user++) {
        const page = await reader.getAll(`user-${user}`, { limit: 1000 });
        const texts = page.memories.map((memory) => memory.memory).reverse();
        expect(texts).toEqual(Array.from({ length: CHATS_PER_USER }, (_, i) => `I keep note n${i}u${user}`));
      }
      expect((await reader.getAll('forgotten')).memories).toEqual([]);
    } finally {
      await reader.close();
    }
    // Retries are logged once per interval with a count, not once per failed write.
    expect(lines.filter((line) => line.message.startsWith('memory write')).length).toBeLessThan(20);
    // Every line, the per-chat warning included, collapses: a 5 s outage under load writes a handful.
    expect(lines.length).toBeLessThan(50);
  }, 60_000);
});
