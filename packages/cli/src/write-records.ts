import { createHash } from 'node:crypto';
import type { MemoryRecord } from './export-format.js';
import type { OpenedStore } from './opened-store.js';

export interface WriteOptions {
  /** Adds in flight at once. Default: the store's (its batch size where it batches). */
  concurrency?: number;
  /** Called after each record is stored or skipped, with how many have been. */
  onProgress?: (done: number) => void;
}

export interface WriteResult {
  /** Records read. */
  records: number;
  /** Records handed to the target's add (a repeated one stores nothing new where imports are idempotent). */
  written: number;
  /** Session records the target has no session store for. */
  skippedSessionRecords: number;
  /** Memories the target holds before and after, where it counts them. */
  memoriesBefore: number | undefined;
  memoriesAfter: number | undefined;
}

/** Longest idempotency key a provider takes. */
const MAX_KEY_LENGTH = 200;

/** The add's idempotency key: the source id, so importing a record again stores nothing new. */
export function importKeyOf(record: MemoryRecord): string {
  const key = `import:${record.id}`;
  return key.length <= MAX_KEY_LENGTH ? key : `import:sha256:${createHash('sha256').update(record.id).digest('base64url')}`;
}

/**
 * Adds the records to the target, each user's run of records oldest first (so the target pages
 * them newest first as the source did). Up to `concurrency` adds are in flight where the target
 * stores them in the order issued; elsewhere up to `concurrency` users are written at once, each
 * user's adds one at a time. Each add carries `importKeyOf(record)`.
 */
export async function writeRecords(target: OpenedStore, records: AsyncIterable<MemoryRecord>, options: WriteOptions = {}): Promise<WriteResult> {
  const concurrency = options.concurrency ?? target.writeConcurrency;
  const memoriesBefore = await countTarget(target);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let read = 0;
  let written = 0;
  let skippedSessionRecords = 0;
  let done = 0;
  const settled = () => options.onProgress?.(++done);
  const started = new Set<string>();

  const addOne = async (record: MemoryRecord) => {
    const scope = target.scope(record.store);
    if (scope === undefined) {
      skippedSessionRecords++;
    } else {
      written++;
      await scope.provider.add(record.userId, [{ role: 'user', content: record.text }], record.metadata, { idempotencyKey: importKeyOf(record) });
    }
    settled();
  };
  // Up to `concurrency` units in flight: single adds where the store keeps their order, else whole runs.
  const launch = async (unit: () => Promise<void>) => {
    const running = unit().catch((error: unknown) => {
      failure ??= { error };
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };
  const writeRun = async (run: MemoryRecord[]) => {
    const oldestFirst = run.reverse();
    if (!target.addsInOrder) return launch(async () => {
      for (const record of oldestFirst) await addOne(record);
    });
    for (const record of oldestFirst) {
      // A scope's first add goes alone: Redis loads its scripts on the first call (EVALSHA, then
      // EVAL), and adds racing that call could be stored before it.
      if (!started.has(record.store)) {
        started.add(record.store);
        await Promise.all(inFlight);
        await launch(() => addOne(record));
        await Promise.all(inFlight);
        if (failure) throw failure.error;
      } else {
        await launch(() => addOne(record));
      }
    }
  };

  try {
    let run: MemoryRecord[] = [];
    for await (const record of records) {
      read++;
      const last = run[run.length - 1];
      if (last !== undefined && (last.userId !== record.userId || last.store !== record.store)) {
        await writeRun(run);
        run = [];
      }
      run.push(record);
    }
    await writeRun(run);
  } finally {
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  return { records: read, written, skippedSessionRecords, memoriesBefore, memoriesAfter: await countTarget(target) };
}

async function countTarget(target: OpenedStore): Promise<number | undefined> {
  let total = 0;
  for (const name of ['memory', 'session'] as const) {
    const scope = target.scope(name);
    if (scope === undefined) continue;
    if (!(await target.existingScopes()).includes(scope)) continue;
    const count = await scope.countMemories();
    if (count === undefined) return undefined;
    total += count;
  }
  return total;
}
