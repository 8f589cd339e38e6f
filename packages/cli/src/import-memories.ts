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

/**
 * Adds an export's memories to a store; importing the same file again stores nothing new where the
 * store honours idempotency keys. A file is read twice: every line is checked before the store is
 * opened (a bad line changes nothing), and the count sizes the progress bar. Standard input is read
 * once, and checked line by line as it is written.
 */
export async function importMemories(options: ImportOptions, context: CommandContext, stdin: Readable = process.stdin): Promise<ImportResult> {
  const fromStdin = options.file === '-';
  const open = () => linesOf(fromStdin ? stdin : createReadStream(options.file, { encoding: 'utf8' }));
  let total: number | undefined;
  if (!fromStdin) {
    total = 0;
    for await (const _ of recordsOf(open())) total++;
  }
  const lines = open();
  // The header is checked before the store is opened: a wrong file changes nothing.
  const first = await lines.next();
  const source = parseHeader(first.done ? undefined : first.value);
  const store = await openCommandStore(options, context, 'write');
  const bar = startProgressBar('import', total, context.progress);
  try {
    const result = await writeRecords(store, recordsOf(lines, true), { concurrency: options.concurrency, onProgress: (done) => bar.update(done) });
    return { target: store.description, source, idempotent: store.idempotentImport, ...result };
  } finally {
    bar.stop();
    await store.close();
  }
}

function linesOf(input: Readable): AsyncIterator<string> {
  return createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** The records of an export's lines (the header first, unless `afterHeader`), each checked. */
async function* recordsOf(lines: AsyncIterator<string>, afterHeader = false): AsyncGenerator<MemoryRecord> {
  let lineNumber = 1;
  if (!afterHeader) {
    const first = await lines.next();
    parseHeader(first.done ? undefined : first.value);
  }
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    lineNumber++;
    if (next.value.trim() === '') continue;
    yield parseRecord(next.value, lineNumber);
  }
}
