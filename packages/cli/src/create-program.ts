import { Command, InvalidArgumentError } from 'commander';
import type { Writable } from 'node:stream';
import { MemoryError } from '@fastagentic/memory';
import type { CommandContext } from './command-context.js';
import { exportMemories } from './export-memories.js';
import { importMemories } from './import-memories.js';
import { backupStore, forgetUsers, reindexStore } from './maintenance-commands.js';
import { migrateMemories } from './migrate-memories.js';
import { storeStats } from './store-stats.js';
import type { Env } from './store-location.js';
import type { WriteResult } from './write-records.js';
import { version } from '../package.json';

const STORE_HELP = 'store URL: file:./memory.db, libsql://..., postgres://..., redis://..., mem0:, zep: (default: the servers\' store from the environment)';
const KEY_HELP = 'encryption key (default FASTAGENTIC_ENCRYPTION_KEY; "" for none)';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a positive integer');
  return number;
}

interface Output {
  /** Lines for people (nothing with `--json`). */
  say(line: string): void;
}

function writeSummary(output: Output, verb: string, result: WriteResult & { idempotent: boolean }, target: string): void {
  const counts =
    result.memoriesBefore === undefined || result.memoriesAfter === undefined
      ? ''
      : `: ${result.memoriesAfter - result.memoriesBefore} new (${result.memoriesBefore} → ${result.memoriesAfter} memories)`;
  output.say(`${verb} ${result.records} records into ${target}${counts}`);
  if (result.skippedSessionRecords > 0) output.say(`skipped ${result.skippedSessionRecords} session records: ${target} keeps no session memory`);
  if (!result.idempotent) output.say(`note: ${target} ignores idempotency keys, so running this again stores the memories again`);
}

/**
 * The `fastagentic-memory` command line. Each command prints lines for people, or with `--json`
 * one JSON object on stdout; progress bars go to stderr when it is a terminal.
 */
export function createProgram(env: Env = process.env, stdout: Writable = process.stdout, stderr: Writable & { isTTY?: boolean } = process.stderr): Command {
  const program = new Command('fastagentic-memory')
    .description('Export, import and migrate FastAgentic memories; stats, reindex, forget and backup.')
    .version(version)
    .showHelpAfterError()
    // Before the commands are added, so they inherit it: usage errors throw, and runCli turns them into exit code 2.
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) });

  // Summaries go to stdout, or to stderr when stdout carries an export.
  const run = <T>(json: boolean, work: (context: CommandContext, output: Output) => Promise<T>, summaries: Writable = stdout) => {
    const output: Output = {
      say: (line) => {
        if (!json) summaries.write(`${line}\n`);
      },
    };
    return work({ env, stdout, progress: Boolean(stderr.isTTY) && !json }, output).then((result) => {
      if (json) summaries.write(`${JSON.stringify(result)}\n`);
    });
  };

  program
    .command('export')
    .description('write memories as versioned JSONL (header line, then one line per memory)')
    .option('--store <url>', STORE_HELP)
    .option('-o, --output <file>', 'file to write (default: standard output)')
    .option('--user <id>', 'only this user (repeatable); needed for Mem0 and Zep', collect, [])
    .option('--encryption-key <key>', KEY_HELP)
    .option('--json', 'print a JSON summary (on stdout, or stderr when the export goes to stdout)')
    .action((options) => {
      const toStdout = options.output === undefined || options.output === '-';
      return run(
        Boolean(options.json),
        async (context, output) => {
          const result = await exportMemories({ ...options, users: options.user }, context);
          output.say(`exported ${result.records} memories from ${result.source}${toStdout ? '' : ` to ${result.output}`}`);
          return result;
        },
        toStdout ? stderr : stdout,
      );
    });

  program
    .command('import')
    .description('add the memories of an export to a store; importing the same file again stores nothing new')
    .argument('<file>', 'export file, or - for standard input')
    .option('--store <url>', STORE_HELP)
    .option('--concurrency <n>', 'adds in flight at once (default: the store\'s batch size)', positiveInteger)
    .option('--encryption-key <key>', KEY_HELP)
    .option('--json', 'print one JSON object')
    .action((file: string, options) =>
      run(Boolean(options.json), async (context, output) => {
        const result = await importMemories({ ...options, file }, context);
        writeSummary(output, 'imported', result, result.target);
        return result;
      }),
    );

  program
    .command('migrate')
    .description('copy every memory from one store to another')
    .requiredOption('--from <url>', 'source store URL')
    .requiredOption('--to <url>', 'target store URL')
    .option('--user <id>', 'only this user (repeatable); needed when the source is Mem0 or Zep', collect, [])
    .option('--concurrency <n>', 'adds in flight at once (default: the target\'s batch size)', positiveInteger)
    .option('--encryption-key <key>', `${KEY_HELP}, both sides`)
    .option('--from-encryption-key <key>', 'the source\'s key, when it differs ("" for none)')
    .option('--to-encryption-key <key>', 'the target\'s key, when it differs ("" for none)')
    .option('--json', 'print one JSON object')
    .action((options) =>
      run(Boolean(options.json), async (context, output) => {
        const result = await migrateMemories({ ...options, users: options.user }, context);
        writeSummary(output, `migrated from ${result.source}:`, result, result.target);
        return result;
      }),
    );

  program
    .command('stats')
    .description('users, memories and bytes of a store')
    .option('--store <url>', STORE_HELP)
    .option('--user <id>', 'only this user (repeatable); needed for Mem0 and Zep', collect, [])
    .option('--encryption-key <key>', KEY_HELP)
    .option('--json', 'print one JSON object')
    .action((options) =>
      run(Boolean(options.json), async (context, output) => {
        const result = await storeStats({ ...options, users: options.user }, context);
        output.say(result.store);
        for (const scope of result.scopes) output.say(`  ${scope.store}: ${scope.users} users, ${scope.memories} memories, ${scope.bytes} bytes`);
        if (result.storageBytes !== null) output.say(`  on disk: ${result.storageBytes} bytes`);
        return result;
      }),
    );

  program
    .command('reindex')
    .description('rebuild the term index from the stored texts')
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print one JSON object')
    .action((options) =>
      run(Boolean(options.json), async (context, output) => {
        // The index is rebuilt from what is stored: no key is needed (encrypted stores keep their supplied terms).
        const result = await reindexStore({ store: options.store, encryptionKey: '' }, context);
        for (const scope of result.reindexed) output.say(`reindexed ${scope.memories} ${scope.store} memories in ${result.store}`);
        return result;
      }),
    );

  program
    .command('forget')
    .description('delete every memory of the users named (long-term and session memory)')
    .option('--user <id>', 'user to forget (repeatable; at least one)', collect, [])
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print one JSON object')
    .action((options) =>
      run(Boolean(options.json), async (context, output) => {
        const result = await forgetUsers(options.user, { store: options.store, encryptionKey: '' }, context);
        for (const entry of result.deleted) output.say(`forgot ${entry.memories} ${entry.store} memories of ${JSON.stringify(entry.userId)}`);
        return result;
      }),
    );

  program
    .command('backup')
    .description('libSQL file: checkpoint and write a consistent copy; other stores: print the tool to use')
    .option('--store <url>', STORE_HELP)
    .option('-o, --output <file>', 'new file to write the copy to (libSQL)')
    .option('--json', 'print one JSON object')
    .action((options) =>
      run(Boolean(options.json), async (context, output) => {
        const result = await backupStore(options.output, { store: options.store, encryptionKey: '' }, context);
        output.say(result.written ? `backed up ${result.store} to ${result.detail} (${result.bytes} bytes)` : `${result.store}: ${result.detail}`);
        return result;
      }),
    );

  return program;
}

/** Runs the command line; resolves to the exit code (errors are printed, never thrown). */
export async function runCli(argv: readonly string[], env: Env = process.env): Promise<number> {
  const program = createProgram(env);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help' ? 0 : 2;
    }
    // A reader that stopped early (`export | head`) closed stdout: nothing is left to tell it.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fastagentic-memory: ${message}\n`);
    if (argv.includes('--json')) {
      const name = error instanceof Error ? error.name : 'Error';
      const field = MemoryError.isInstance(error) ? ((error as { field?: string; option?: string }).field ?? (error as { option?: string }).option) : undefined;
      process.stdout.write(`${JSON.stringify({ error: { name, message, ...(field ? { field } : {}) } })}\n`);
    }
    return 1;
  }
}
