import { floodFigures, printFigures, underFlood } from '@fastagentic/bench';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';
import { COMMON_QUERY, FILTER_BOMB, seedCommonWords } from '@fastagentic/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlProvider } from '../src/index.js';

// Issue 25's attack on the reference server's default store: one user holding 20,000 memories that
// all match a common-word query floods worst-case searches (limit 1000, and the filter bomb the core
// lets through) from 4 loops, while another user lists their one memory in the same process.
const folder = mkdtempSync(join(tmpdir(), 'fastagentic-sqlite-flood-'));
const provider = new LibsqlProvider({ url: `file:${join(folder, 'memory.db')}` });
await seedCommonWords(provider, 'attacker', 20_000);
await provider.add('victim', [{ role: 'user', content: 'the only memory of another user' }]);

const result = await underFlood({
  victim: () => provider.getAll('victim'),
  attack: (run) => provider.search('attacker', COMMON_QUERY, run % 2 === 0 ? { limit: MEMORY_LIMITS.maxSearchLimit } : { limit: MEMORY_LIMITS.maxSearchLimit, filters: FILTER_BOMB }),
});
printFigures('@fastagentic/sqlite (libSQL file) under a search flood, same run', floodFigures(result));

await provider.close();
rmSync(folder, { recursive: true, force: true });
