import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { openCommandStore, type CommandContext } from './command-context.js';
import { exportHeader, EXPORT_FORMAT, EXPORT_VERSION } from './export-format.js';
import { startProgressBar } from './progress-bar.js';
import { countRecords, readRecords } from './read-records.js';

export interface ExportOptions {
  /** Store URL; default the servers' store from the environment. */
  store?: string;
  /** File to write; default (or `-`) standard output. */
  output?: string;
  /** Only these users; needed where the store cannot list its users. */
  users?: string[];
  encryptionKey?: string;
}

export interface ExportResult {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  source: string;
  output: string;
  records: number;
}

/** Writes the store's memories as JSONL: the header, then one line per memory (see the README). */
export async function exportMemories(options: ExportOptions, context: CommandContext): Promise<ExportResult> {
  const store = await openCommandStore(options, context, 'read');
  const toFile = options.output !== undefined && options.output !== '-';
  // A file is written beside its name and renamed at the end, so a failed export leaves no partial file under it.
  const partial = toFile ? `${options.output}.partial` : undefined;
  const out: Writable = partial ? createWriteStream(partial, { mode: 0o600 }) : context.stdout;
  let records = 0;
  try {
    const bar = startProgressBar('export', await countRecords(store, options.users), context.progress);
    const write = async (value: unknown) => {
      if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
    };
    try {
      await write(exportHeader(store.description));
      for await (const record of readRecords(store, options.users)) {
        await write(record);
        bar.update(++records);
      }
    } finally {
      bar.stop();
    }
    if (partial) {
      out.end();
      await once(out, 'finish');
      renameSync(partial, options.output!);
    }
  } catch (error) {
    if (partial) {
      out.destroy();
      rmSync(partial, { force: true });
    }
    throw error;
  } finally {
    await store.close();
  }
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, source: store.description, output: toFile ? options.output! : '-', records };
}
