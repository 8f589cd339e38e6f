import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** Where the server keeps its state: `FASTAGENTIC_DATA_DIR`, default `.fastagentic` in the working directory. */
export function dataFolderFrom(env: Env): string {
  const folder = resolve(env.FASTAGENTIC_DATA_DIR || '.fastagentic');
  // Owner only: the folder holds memories and the demo secret.
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}

/**
 * The demo HS256 secret, made once and kept in the data folder, so a printed token keeps
 * working after a restart. Two servers starting at once agree on the file that was written first.
 */
export function demoSecretIn(folder: string): string {
  const file = join(folder, 'jwt-secret');
  try {
    writeFileSync(file, Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
