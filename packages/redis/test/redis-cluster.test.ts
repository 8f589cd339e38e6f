import { testMemoryProvider } from '@fastagentic/testkit';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { RedisClusterProcesses, scanKeys } from '@fastagentic/test-services';
import { uniquePrefix } from './shared-redis.js';

const servers = await RedisClusterProcesses.start();
const cluster = new Cluster(servers.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
const prefix = uniquePrefix('cluster');
afterAll(async () => {
  await cluster.quit();
  await servers.destroy();
});

testMemoryProvider({
  name: 'RedisProvider on a 3-node Redis Cluster',
  create: () => new RedisProvider({ client: cluster, prefix }),
  createWithTtl: (ttlSeconds) => new RedisProvider({ client: cluster, prefix, ttlSeconds }),
});

describe('RedisProvider on a 3-node Redis Cluster: placement', () => {
  const keysOnEveryNode = async () =>
    (await Promise.all(servers.nodes.map((node) => scanKeys(node.port, prefix)))).map((keys) => new Set(keys));
  /** What forgetting leaves: only the users' forget fences (`:f`). */
  const memoryKeys = (keys: Set<string>) => [...keys].filter((key) => !key.endsWith(':f'));

  it('the conformance suite left no memory key on any node after forgetting its users', async () => {
    for (const keys of await keysOnEveryNode()) expect(memoryKeys(keys)).toEqual([]);
  });

  it('users spread over the nodes, each user’s keys on one node, and forget leaves no memory key anywhere', async () => {
    const provider = new RedisProvider({ client: cluster, prefix });
    const users = Array.from({ length: 24 }, (_, i) => `spread-${i}-{${i}}:*`);
    for (const userId of users) {
      await provider.add(userId, [{ role: 'user', content: `first note of ${userId}` }]);
      const second = await provider.add(userId, [{ role: 'user', content: `second note of ${userId}` }], { sessionId: 's' }, { idempotencyKey: 'once' });
      await provider.update(userId, second, { metadata: { sessionId: 's', changed: true } });
    }
    const placement = await keysOnEveryNode();
    expect(placement.filter((keys) => keys.size > 0).length).toBeGreaterThanOrEqual(2);
    for (const userId of users) {
      const keys = userKeys(prefix, userId);
      const holders = placement.filter((held) => keys.all.some((key) => held.has(key)));
      expect(holders).toHaveLength(1);
      expect(keys.all.filter((key) => key !== keys.fence).every((key) => holders[0]!.has(key))).toBe(true);
      const slots = await Promise.all(keys.all.map((key) => cluster.cluster('KEYSLOT', key)));
      expect(new Set(slots).size).toBe(1);
      expect((await provider.search(userId, 'second note'))[0]?.memory).toBe(`second note of ${userId}`);
    }
    for (const userId of users) expect(await provider.deleteAll(userId)).toBe(2);
    for (const keys of await keysOnEveryNode()) expect(memoryKeys(keys)).toEqual([]);
  });
});
