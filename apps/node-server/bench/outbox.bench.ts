import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { LibsqlOutboxJournal } from '../src/libsql-outbox-journal.js';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';
import { startMain, stop } from '../test/main-process.js';

// Chat latency at one connection on the default store (a libSQL file in the data folder), with the
// outbox journal (FASTAGENTIC_OUTBOX=file, the default) and with the in-memory queue only
// (FASTAGENTIC_OUTBOX=memory), each server its own process (src/main.ts): chats alternate between
// the two, so both see the same load from the rest of the machine. Then the journal's own cost (append + remove, no server), and the
// replay rate: a journal left with REPLAY writes by a "crashed" run, stored by the next start.
const JWT_SECRET = 'outbox-bench-secret-0123456789abcdefghij';
const CHATS = 2_000;
const REPLAY = 5_000;
const silent = { warn() {}, error() {} };
const folders: string[] = [];
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'fastagentic-outbox-bench-'));
  folders.push(path);
  return path;
};

/** A server in this process: the replay is timed from its start to its drain. */
async function start(outbox: 'file' | 'memory', data = folder()): Promise<RunningNodeServer> {
  return startNodeServer({ env: { PORT: '0', JWT_SECRET, FASTAGENTIC_DATA_DIR: data, FASTAGENTIC_OUTBOX: outbox }, logger: silent });
}

const benchToken = await sign({ sub: 'bench-user', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET, 'HS256');

/** One chat's round trip in ms. */
async function chat(server: { url: string }, i: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/chat/recent`, {
    method: 'POST',
    headers: { authorization: `Bearer ${benchToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: `bench message ${i}: my favourite tea is oolong` }),
  });
  await response.arrayBuffer();
  return performance.now() - started;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const journaled = await startMain({ FASTAGENTIC_DATA_DIR: folder(), FASTAGENTIC_OUTBOX: 'file', JWT_SECRET });
const inMemory = await startMain({ FASTAGENTIC_DATA_DIR: folder(), FASTAGENTIC_OUTBOX: 'memory', JWT_SECRET });
const withJournal: number[] = [];
const withoutJournal: number[] = [];
for (let i = -100; i < CHATS; i++) {
  // Which server goes first alternates, so neither always follows the other's background write.
  const journalFirst = i % 2 === 0;
  const first = await chat(journalFirst ? journaled : inMemory, i);
  const second = await chat(journalFirst ? inMemory : journaled, i);
  if (i < 0) continue; // warm-up
  withJournal.push(journalFirst ? first : second);
  withoutJournal.push(journalFirst ? second : first);
}
await stop(journaled);
await stop(inMemory);

// The journal alone: one append and one remove per write, as a chat and its stored write cost.
const alone = await LibsqlOutboxJournal.open(join(folder(), 'outbox.db'));
const appendTimes: number[] = [];
for (let i = 0; i < 5_000; i++) {
  const key = crypto.randomUUID();
  const started = performance.now();
  await alone.append({ key, userId: 'u', store: 'memory', promisedAt: Date.now(), payload: JSON.stringify({ messages: [{ role: 'user', content: `fact ${i}` }] }) });
  appendTimes.push(performance.now() - started);
  await alone.remove([key]);
}
await alone.close();

// A crash left REPLAY promised writes in the journal: the next start stores them.
const crashed = folder();
const journal = await LibsqlOutboxJournal.open(join(crashed, 'outbox.db'));
for (let i = 0; i < REPLAY; i++) {
  await journal.append({
    key: crypto.randomUUID(),
    userId: `replay-user-${i % 100}`,
    store: 'memory',
    promisedAt: Date.now(),
    payload: JSON.stringify({ messages: [{ role: 'user', content: `replayed fact ${i}` }], metadata: { source: 'chat' } }),
  });
}
await journal.close();
const replayStarted = performance.now();
const next = await start('file', crashed);
await next.app.drain();
const replayMs = performance.now() - replayStarted;
await next.close();

// Baseline for the replay: the same adds straight to a store like the default one (a libSQL file),
// no queue and no journal, one user's writes after another's, 100 users at a time.
const direct = new LibsqlProvider({ url: `file:${join(folder(), 'memory.db')}`, tablePrefix: 'memory_' });
const baselineStarted = performance.now();
await Promise.all(
  Array.from({ length: 100 }, async (_, user) => {
    for (let i = user; i < REPLAY; i += 100) {
      await direct.add(`replay-user-${user}`, [{ role: 'user', content: `direct fact ${i}` }], { source: 'chat' }, { idempotencyKey: crypto.randomUUID() });
    }
  }),
);
const baselineMs = performance.now() - baselineStarted;
await direct.close();
for (const path of folders) rmSync(path, { recursive: true, force: true });

const ms = (value: number) => `${value.toFixed(3)} ms`;
console.log(`| figure | with the libSQL journal | in-memory queue only (same run) | added |`);
console.log(`| --- | --- | --- | --- |`);
for (const p of [50, 99]) {
  const a = percentile(withJournal, p);
  const b = percentile(withoutJournal, p);
  console.log(`| chat p${p}, one connection, default store (${withJournal.length} chats each) | ${ms(a)} | ${ms(b)} | ${ms(a - b)} |`);
}
console.log(`| journal append alone (libSQL file, WAL, synchronous=NORMAL), p50 / p99 | ${ms(percentile(appendTimes, 50))} / ${ms(percentile(appendTimes, 99))} | | |`);
console.log(
  `| replay after a crash: ${REPLAY} journaled writes, 100 users | ${replayMs.toFixed(0)} ms (${Math.round((REPLAY / replayMs) * 1000)} writes/s, start included) | the same adds straight to a libSQL file store, no queue or journal: ${baselineMs.toFixed(0)} ms (${Math.round((REPLAY / baselineMs) * 1000)} writes/s) | |`,
);
