import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { openCommandStore, type CommandContext } from './command-context.js';
import { parseHeader, parseRecord, type ExportHeader, type MemoryRecord } from './export-format.js';
import { startProgressBar } from './progress-bar.js';
import { writeRecords, type WriteResult } from './write-records.js';

export interface ImportOptions {
  /** An export file, or `-` for standard input. */
  file: string;
  store?: string;
  concurrency?: number;
  encryptionKey?: string;
}

export interface ImportResult extends WriteResult {
  target: string;
  /** The export's header. */
  source: ExportHeader;
  /** False where the target stores a repeated import again (Mem0, Zep). */
  idempotent: boolean;
}

/** Adds an export's memories to a store; importing the same file again stores nothing new where the store honours idempotency keys. */
export async function importMemories(options: ImportOptions, context: CommandContext, stdin: Readable = process.stdin): Promise<ImportResult> {
  const input = options.file === '-' ? stdin : createReadStream(options.file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  // The header is checked before the store is opened: a wrong file changes nothing.
  const first = await lines.next();
  const source = parseHeader(first.done ? undefined : first.value);
  const store = await openCommandStore(options, context, 'write');
  const bar = startProgressBar('import', undefined, context.progress);
  try {
    const result = await writeRecords(store, recordsOf(lines), { concurrency: options.concurrency, onProgress: (done) => bar.update(done) });
    return { target: store.description, source, idempotent: store.idempotentImport, ...result };
  } finally {
    bar.stop();
    await store.close();
  }
}

async function* recordsOf(lines: AsyncIterator<string>): AsyncGenerator<MemoryRecord> {
  let lineNumber = 1;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    lineNumber++;
    if (next.value.trim() === '') continue;
    yield parseRecord(next.value, lineNumber);
  }
}
