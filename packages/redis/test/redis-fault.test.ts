import { iterateMemories, ProviderUnavailableError } from '@fastagentic/memory';
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { indexAgainstRecords } from './index-consistency.js';
import { RedisServerProcess } from '@fastagentic/test-services';

// Every acknowledged write is fsynced before Redis replies, so a crash (SIGKILL) loses none.
const server = await RedisServerProcess.start(['--appendonly', 'yes', '--appendfsync', 'always']);
const provider = new RedisProvider({ url: server.url, prefix: 'fault:' });
afterAll(async () => {
  await provider.close();
  await server.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

it('a crash mid-stream fails calls fast with a retryable error, recovers, and loses no acknowledged write', async () => {
  const userId = 'stream-writer';
  const acknowledged: string[] = [];
  const failures: Array<{ error: unknown; ms: number }> = [];
  let running = true;
  const writer = (async () => {
    for (let i = 0; running; i++) {
      const started = Date.now();
      try {
        acknowledged.push(await provider.add(userId, [{ role: 'user', content: `write ${i}` }]));
      } catch (error) {
        failures.push({ error, ms: Date.now() - started });
      }
      await sleep(5);
    }
  })();

  await until(() => acknowledged.length >= 30, 10_000);
  await server.stop();
  const acknowledgedBeforeCrash = acknowledged.length;
  await until(() => failures.length >= 5, 10_000);
  await server.start();
  const failuresDuringOutage = failures.length;
  await until(() => acknowledged.length >= acknowledgedBeforeCrash + 30, 10_000);
  running = false;
  await writer;

  expect(failuresDuringOutage).toBeGreaterThanOrEqual(5);
  for (const { error, ms } of failures) {
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
    expect(ms).toBeLessThan(1_000);
  }
  const stored = new Set<string>();
  for await (const memory of iterateMemories(provider, userId)) stored.add(memory.id);
  const lost = acknowledged.filter((id) => !stored.has(id));
  expect(lost).toEqual([]);
  expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);

  // Each write script is applied whole or not at all (AOF logs it as one unit): the index
  // after the restart describes exactly the records that survived.
  const inspector = new Redis(server.url);
  try {
    const { actual, expected } = await indexAgainstRecords(inspector, userKeys('fault:', userId));
    expect(Object.keys(actual.timeline).length).toBe(stored.size);
    expect(actual).toEqual(expected);
    expect((await provider.search(userId, 'write', { limit: 100 })).length).toBe(Math.min(stored.size, 100));
  } finally {
    await inspector.quit();
  }
});
