import { comparePair, printFigures, type Figure } from '@fastagentic/bench';
import { withCache } from '@fastagentic/memory';
import { Redis } from 'ioredis';
import { RedisCacheGenerationStore, RedisProvider } from '../src/index.js';
import { RedisServerProcess } from '@fastagentic/test-services';

// withCache over RedisProvider with the generation counter in the same (private) Redis: a hit
// costs one GET round trip plus a copy; a search one script call plus the ranking.
const server = await RedisServerProcess.start();
const client = new Redis(server.url);
const provider = new RedisProvider({ client, prefix: 'bench:' });
const cached = withCache(provider, {
  ttlSeconds: 3600,
  maxEntries: 1000,
  generations: new RedisCacheGenerationStore({ client, prefix: 'bench:' }),
});
const words = ['tea', 'piano', 'berlin', 'river', 'cat', 'hiking', 'coffee', 'music', 'garden', 'travel'];
const figures: Figure[] = [];

for (const count of [1_000, 10_000]) {
  const userId = `user-${count}`;
  for (let start = 0; start < count; start += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, count - start) }, (_, i) => {
        const n = start + i;
        return provider.add(userId, [{ role: 'user', content: `Memory ${n} about ${words[n % 10]} and ${words[(n * 7) % 10]} with ${words[(n * 3) % 10]} notes` }]);
      }),
    );
  }
  const queries = words.map((word, i) => `${word} ${words[(i + 3) % 10]}`);
  for (const query of queries) await cached.search(userId, query, { limit: 10 });
  const pair = await comparePair({
    name: `withCache search hit (Redis generations), ${count.toLocaleString('en')} memories`,
    baselineName: 'RedisProvider.search',
    baseline: (run) => provider.search(userId, queries[run % queries.length]!, { limit: 10 }),
    candidate: (run) => cached.search(userId, queries[run % queries.length]!, { limit: 10 }),
    iterations: count === 10_000 ? 200 : 500,
    warmup: 20,
  });
  figures.push({ name: pair.name, value: pair.candidate, baselineName: pair.baselineName, baseline: pair.baseline, ratio: pair.medianRatio });
}

printFigures(`withCache over @fastagentic/redis (private redis-server ${server.port}, same run)`, figures);
await client.quit();
await server.destroy();
