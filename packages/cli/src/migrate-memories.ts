import { MemoryConfigurationError } from '@fastagentic/memory';
import { encryptionKeyFrom, type CommandContext } from './command-context.js';
import { openStore } from './open-store.js';
import type { OpenedStore } from './opened-store.js';
import { startProgressBar } from './progress-bar.js';
import { countRecords, readRecords } from './read-records.js';
import { writeRecords, type WriteResult } from './write-records.js';

export interface MigrateOptions {
  from: string;
  to: string;
  users?: string[];
  concurrency?: number;
  /** Both sides' key, unless a side has its own. */
  encryptionKey?: string;
  fromEncryptionKey?: string;
  toEncryptionKey?: string;
}

export interface MigrateResult extends WriteResult {
  source: string;
  target: string;
  idempotent: boolean;
}

/** Copies every memory from one store to another as an export piped into an import, without a file. */
export async function migrateMemories(options: MigrateOptions, context: CommandContext): Promise<MigrateResult> {
  if (options.from === options.to) throw new MemoryConfigurationError('--to', 'names the same store as --from');
  const shared = encryptionKeyFrom(options.encryptionKey, context.env);
  const source = await openStore(options.from, {
    env: context.env,
    option: '--from',
    encryptionKey: options.fromEncryptionKey === undefined ? shared : options.fromEncryptionKey || undefined,
    encryptionKeyOption: options.fromEncryptionKey === undefined ? '--encryption-key' : '--from-encryption-key',
    mode: 'read',
  });
  let target: OpenedStore | undefined;
  try {
    target = await openStore(options.to, {
      env: context.env,
      option: '--to',
      encryptionKey: options.toEncryptionKey === undefined ? shared : options.toEncryptionKey || undefined,
      encryptionKeyOption: options.toEncryptionKey === undefined ? '--encryption-key' : '--to-encryption-key',
      mode: 'write',
    });
    const bar = startProgressBar('migrate', await countRecords(source, options.users), context.progress);
    try {
      const result = await writeRecords(target, readRecords(source, options.users), {
        concurrency: options.concurrency,
        onProgress: (done) => bar.update(done),
      });
      return { source: source.description, target: target.description, idempotent: target.idempotentImport, ...result };
    } finally {
      bar.stop();
    }
  } finally {
    await Promise.all([source.close(), target?.close()]);
  }
}
