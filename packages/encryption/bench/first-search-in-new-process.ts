import { LibsqlProvider } from '@fastagentic/sqlite';
import { withEncryption } from '../src/node/with-encryption.js';

// One sample of cold-search.bench.ts: a new process opens the libSQL file (its connection opened
// by a read of another user, as a server's would be), then times its first search for the user.
// Arguments: the database URL, `bare` or `encrypted`, the user, the query; the key comes in
// FASTAGENTIC_ENCRYPTION_KEY, so it never shows in a process list.
const [url, mode, userId, query] = process.argv.slice(2) as [string, 'bare' | 'encrypted', string, string];
const store = new LibsqlProvider({ url });
await store.getAll('someone-else', { limit: 1 });
const provider = mode === 'bare' ? store : withEncryption(store);
const started = performance.now();
const results = await provider.search(userId, query);
const elapsedMs = performance.now() - started;
await store.close();
process.stdout.write(JSON.stringify({ elapsedMs, results: results.length }));
