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
 * them newest first as the source did). Where the target stores concurrent adds in the order
 * issued, adds go in chunks of `concurrency`; elsewhere users do, each user's adds one at a time.
 * Each add carries `importKeyOf(record)`.
 */
export async function writeRecords(target: OpenedStore, records: AsyncIterable<MemoryRecord>, options: WriteOptions = {}): Promise<WriteResult> {
  const concurrency = options.concurrency ?? target.writeConcurrency;
  const memoriesBefore = await countTarget(target);
  const chunks: Array<Promise<unknown>> = [];
  let chunk: Array<Promise<void>> = [];
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
  // Units (single adds where the store keeps their order, else whole runs) go in chunks of
  // `concurrency`, two chunks in flight: the store commits one while the next one queues. Launching
  // is synchronous until a chunk is full: adds awaited one by one (or a window sliding one add at a
  // time) reach libSQL's queue a microtask apart, and it commits them in ever smaller batches.
  const launch = (unit: () => Promise<void>): Promise<void> | undefined => {
    if (failure) throw failure.error;
    chunk.push(
      unit().catch((error: unknown) => {
        failure ??= { error };
      }),
    );
    if (chunk.length < concurrency) return undefined;
    chunks.push(Promise.all(chunk));
    chunk = [];
    return chunks.length >= 2 ? chunks.shift()!.then(() => undefined) : undefined;
  };
  const settleAll = () => Promise.all([...chunks.splice(0), ...chunk.splice(0)]);
  const drain = async () => {
    await settleAll();
    if (failure) throw failure.error;
  };
  const writeRun = async (run: MemoryRecord[]) => {
    const oldestFirst = run.reverse();
    if (!target.addsInOrder) {
      await launch(async () => {
        for (const record of oldestFirst) await addOne(record);
      });
      return;
    }
    for (const record of oldestFirst) {
      // A scope's first add goes alone: Redis loads its scripts on the first call (EVALSHA, then
      // EVAL), and adds racing that call could be stored before it.
      if (!started.has(record.store)) {
        started.add(record.store);
        await drain();
        launch(() => addOne(record));
        await drain();
      } else {
        const full = launch(() => addOne(record));
        if (full) await full;
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
  } catch (error) {
    // Nothing is left running behind the error.
    await settleAll();
    throw error;
  }
  await drain();
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
