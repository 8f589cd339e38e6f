import { floodFigures, formatDuration, printFigures, underFlood } from '@fastagentic/bench';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';
import { COMMON_QUERY, FILTER_BOMB, seedCommonWords } from '@fastagentic/testkit';
import { Redis } from 'ioredis';
import { RedisProvider } from '../src/index.js';
import { RedisServerProcess } from '@fastagentic/test-services';

// Issue 25's attack: one user holding 20,000 memories that all match a common-word query floods
// worst-case searches (limit 1000, and the filter bomb the core lets through) from 4 loops, while
// another user lists their one memory. A private redis-server, so nothing else shares it.
const server = await RedisServerProcess.start();
const provider = new RedisProvider({ url: server.url, prefix: 'flood:' });
const pinger = new Redis(server.url);
await seedCommonWords(provider, 'attacker', 20_000);
await provider.add('victim', [{ role: 'user', content: 'the only memory of another user' }]);

await pinger.config('RESETSTAT');
await pinger.slowlog('RESET');
const result = await underFlood({
  victim: () => provider.getAll('victim'),
  attack: (run) => provider.search('attacker', COMMON_QUERY, run % 2 === 0 ? { limit: MEMORY_LIMITS.maxSearchLimit } : { limit: MEMORY_LIMITS.maxSearchLimit, filters: FILTER_BOMB }),
  probe: () => pinger.ping(),
});
// How long one search held Redis (every command a search sends is one EVALSHA), and the longest.
const evalsha = /cmdstat_evalsha:calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/.exec(await pinger.info('commandstats'));
const logged = (await pinger.slowlog('GET', 128)) as Array<[number, number, number]>;
const slowest = logged.length === 0 ? undefined : Math.max(...logged.map((entry) => entry[2]));
printFigures(`@fastagentic/redis under a search flood (private redis-server ${server.port}, same run)`, [
  ...floodFigures(result),
  {
    name: `time one call held Redis during the run (INFO commandstats, ${evalsha?.[1]} EVALSHA calls; SLOWLOG's slowest command)`,
    value: { text: `mean ${formatDuration(Number(evalsha?.[2]) / 1000)}, slowest ${slowest === undefined ? 'none over 10 ms' : formatDuration(slowest / 1000)}` },
    target: 'reported',
  },
  ...(result.probeFlooded && result.probeQuiet
    ? [
        {
          name: 'PING from another client while the flood runs',
          value: result.probeFlooded,
          baselineName: 'PING with no flood',
          baseline: result.probeQuiet,
          target: 'p99 < 25 ms',
          met: result.probeFlooded.p99Ms < 25,
        },
      ]
    : []),
]);

await provider.close();
await pinger.quit();
await server.destroy();
