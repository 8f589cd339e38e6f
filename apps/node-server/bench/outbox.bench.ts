import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import { LibsqlOutboxJournal } from '../src/libsql-outbox-journal.js';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';

// Chat latency at one connection on the default store (a libSQL file in the data folder), with the
// outbox journal (FASTAGENTIC_OUTBOX=file, the default) and with the in-memory queue only
// (FASTAGENTIC_OUTBOX=memory), in alternating rounds of the same run. Then the replay rate: a
// journal left with REPLAY writes by a "crashed" run, stored by the next start.
const JWT_SECRET = 'outbox-bench-secret-0123456789abcdefghij';
const ROUNDS = 4;
const CHATS_PER_ROUND = 500;
const REPLAY = 5_000;
const silent = { warn() {}, error() {} };
const folders: string[] = [];
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'fastagentic-outbox-bench-'));
  folders.push(path);
  return path;
};

async function start(outbox: 'file' | 'memory', data = folder()): Promise<RunningNodeServer> {
  return startNodeServer({ env: { PORT: '0', JWT_SECRET, FASTAGENTIC_DATA_DIR: data, FASTAGENTIC_OUTBOX: outbox }, logger: silent });
}

async function chats(server: RunningNodeServer, count: number, offset: number): Promise<number[]> {
  const token = await sign({ sub: 'bench-user', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET, 'HS256');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/chat/recent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: `bench message ${offset + i}: my favourite tea is oolong` }),
    });
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  return times;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const journaled = await start('file');
const inMemory = await start('memory');
const withJournal: number[] = [];
const withoutJournal: number[] = [];
await chats(journaled, 100, 0); // warm-up
await chats(inMemory, 100, 0);
for (let round = 0; round < ROUNDS; round++) {
  withoutJournal.push(...(await chats(inMemory, CHATS_PER_ROUND, (round + 1) * CHATS_PER_ROUND)));
  withJournal.push(...(await chats(journaled, CHATS_PER_ROUND, (round + 1) * CHATS_PER_ROUND)));
}
await journaled.close();
await inMemory.close();

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

// Baseline for the replay: the same writes queued by a running server without a journal.
const baseline = await start('memory');
const baselineStarted = performance.now();
const token = (userId: string) => sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET, 'HS256');
await Promise.all(
  Array.from({ length: 100 }, async (_, user) => {
    const bearer = await token(`replay-user-${user}`);
    for (let i = user; i < REPLAY; i += 100) {
      const response = await fetch(`${baseline.url}/memories`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `direct fact ${i}` }),
      });
      await response.arrayBuffer();
    }
  }),
);
const baselineMs = performance.now() - baselineStarted;
await baseline.close();
for (const path of folders) rmSync(path, { recursive: true, force: true });

const ms = (value: number) => `${value.toFixed(3)} ms`;
console.log(`| figure | with the libSQL journal | in-memory queue only (same run) | added |`);
console.log(`| --- | --- | --- | --- |`);
for (const p of [50, 99]) {
  const a = percentile(withJournal, p);
  const b = percentile(withoutJournal, p);
  console.log(`| chat p${p}, one connection, default store (${withJournal.length} chats each) | ${ms(a)} | ${ms(b)} | ${ms(a - b)} |`);
}
console.log(
  `| replay after a crash: ${REPLAY} journaled writes, 100 users | ${replayMs.toFixed(0)} ms (${Math.round((REPLAY / replayMs) * 1000)} writes/s, start included) | the same writes as POST /memories, 100 connections: ${baselineMs.toFixed(0)} ms (${Math.round((REPLAY / baselineMs) * 1000)} writes/s) | |`,
);
