import type { Writable } from 'node:stream';
import { openStore } from './open-store.js';
import type { OpenedStore } from './opened-store.js';
import { storeUrlFromEnv, type Env } from './store-location.js';

/** What every command runs with. */
export interface CommandContext {
  env: Env;
  /** Draw progress bars on stderr. */
  progress: boolean;
  /** Where an export without `--output` goes. */
  stdout: Writable;
}

/** The encryption key a command uses: its option, else FASTAGENTIC_ENCRYPTION_KEY; an empty option means none. */
export function encryptionKeyFrom(given: string | undefined, env: Env): string | undefined {
  return (given ?? env.FASTAGENTIC_ENCRYPTION_KEY) || undefined;
}

/** Opens the store of a command's `--store` (default: the servers' store from the environment). */
export function openCommandStore(
  options: { store?: string; encryptionKey?: string },
  context: CommandContext,
  mode: 'read' | 'write',
): Promise<OpenedStore> {
  return openStore(options.store ?? storeUrlFromEnv(context.env), {
    env: context.env,
    option: '--store',
    encryptionKey: encryptionKeyFrom(options.encryptionKey, context.env),
    encryptionKeyOption: '--encryption-key',
    mode,
  });
}
