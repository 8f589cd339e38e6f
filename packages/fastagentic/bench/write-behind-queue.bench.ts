import { InMemoryProvider, ProviderUnavailableError, type MemoryProvider } from '@fastagentic/memory';
import { comparePair, printFigures } from '@fastagentic/bench';
import { WriteBehindQueue } from '../src/write-behind-queue.js';

const BATCH = 1000;
const exchange = (i: number) => [
  { role: 'user' as const, content: `Exchange ${i}: my favourite tea is oolong` },
  { role: 'assistant' as const, content: 'Noted.' },
];

// Enqueue cost: queuing a batch of exchanges (and storing them) vs handing each add straight to a
// background promise, as the app did before the queue, on the same in-memory store.
const direct = new InMemoryProvider();
const queued = new InMemoryProvider();
const queue = new WriteBehindQueue();
const enqueue = await comparePair({
  name: `${BATCH} exchanges queued and stored (WriteBehindQueue)`,
  baselineName: 'background add per exchange, no queue',
  baseline: async (run) => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < BATCH; i++) {
      writes.push(new Promise((resolve) => setTimeout(resolve, 0)).then(() => direct.add(`u${i % 300}`, exchange(run * BATCH + i))));
    }
    await Promise.all(writes);
  },
  candidate: async (run) => {
    for (let i = 0; i < BATCH; i++) void queue.enqueue({ store: 'memory', userId: `u${i % 300}`, provider: queued, messages: exchange(run * BATCH + i) });
    await queue.drain();
  },
  iterations: 30,
  warmup: 3,
});

// Drain rate after an outage: 10,000 writes queued while the store is down, then the store comes back.
const OUTAGE_WRITES = 10_000;
const store = new InMemoryProvider();
let down = true;
const switchable: MemoryProvider = {
  ...store,
  specificationVersion: 'v1',
  provider: 'switchable',
  capabilities: store.capabilities,
  add: async (...args) => {
    if (down) throw new ProviderUnavailableError('switchable', 'down', { isRetryable: true });
    return store.add(...args);
  },
  search: (...args) => store.search(...args),
  getAll: (...args) => store.getAll(...args),
  get: (...args) => store.get(...args),
  delete: (...args) => store.delete(...args),
  deleteAll: (...args) => store.deleteAll(...args),
};
const outageQueue = new WriteBehindQueue({ maxQueued: OUTAGE_WRITES, backoff: { baseDelayMs: 50, maxDelayMs: 200 } });
for (let i = 0; i < OUTAGE_WRITES; i++) void outageQueue.enqueue({ store: 'memory', userId: `u${i % 300}`, provider: switchable, messages: exchange(i) });
await new Promise((resolve) => setTimeout(resolve, 300));
down = false;
const drainStarted = performance.now();
await outageQueue.drain();
const drainMs = performance.now() - drainStarted;
const directStarted = performance.now();
const plain = new InMemoryProvider();
await Promise.all(Array.from({ length: OUTAGE_WRITES }, (_, i) => plain.add(`u${i % 300}`, exchange(i))));
const directMs = performance.now() - directStarted;

const perExchangeUs = ((enqueue.candidate.medianMs - enqueue.baseline.medianMs) / BATCH) * 1000;
printFigures('Write-behind queue (in-memory store)', [
  { name: enqueue.name, value: enqueue.candidate, baselineName: enqueue.baselineName, baseline: enqueue.baseline },
  { name: 'added per exchange (median difference)', value: { text: `${perExchangeUs.toFixed(1)} µs` } },
  {
    name: `drain after an outage: ${OUTAGE_WRITES} queued writes, 300 users`,
    value: { text: `${Math.round(drainMs)} ms (${Math.round(OUTAGE_WRITES / (drainMs / 1000))} writes/s)` },
    baselineName: 'the same adds sent at once, no outage',
    baseline: { text: `${Math.round(directMs)} ms (${Math.round(OUTAGE_WRITES / (directMs / 1000))} writes/s)` },
    ratio: drainMs / directMs,
  },
]);
