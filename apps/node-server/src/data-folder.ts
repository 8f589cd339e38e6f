import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, statSync, writeSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryConfigurationError } from '@fastagentic/memory';

type Env = Record<string, string | undefined>;

/** Permission bits for anyone but the owner. */
const NOT_OWNER = 0o077;
const WRITABLE_BY_OTHERS = 0o022;
const MIN_SECRET_LENGTH = 32;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
/** The process's user id; undefined where there is none (Windows), where the checks are left to the OS's ACLs. */
const ownUid = () => process.getuid?.();

/**
 * Where the server keeps its state: `FASTAGENTIC_DATA_DIR`, default `.fastagentic` in the working
 * directory. It holds memories and the demo secret, so it is owner-only: a folder of ours that is
 * not gets 0700 (said in one line), and one of another user that others may write to is refused,
 * since anyone could have planted files in it.
 */
export function dataFolderFrom(env: Env): string {
  const folder = resolve(env.FASTAGENTIC_DATA_DIR || '.fastagentic');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stats = statSync(folder);
  if (!stats.isDirectory()) throw new MemoryConfigurationError('FASTAGENTIC_DATA_DIR', `${folder} is not a folder`);
  const uid = ownUid();
  if (uid === undefined || (stats.mode & NOT_OWNER) === 0) return folder;
  if (stats.uid === uid) {
    chmodSync(folder, 0o700);
    console.warn(`data folder ${folder} was ${octal(stats.mode)}: made it owner-only (0700)`);
  } else if ((stats.mode & WRITABLE_BY_OTHERS) !== 0) {
    throw new MemoryConfigurationError(
      'FASTAGENTIC_DATA_DIR',
      `${folder} belongs to another user and others may write to it (${octal(stats.mode)}): use a folder of your own`,
    );
  }
  return folder;
}

/** Refuses a file others could have planted or read: a symlink, not a plain file, not ours, or open to others. */
function refuseUnsafe(file: string, stats: Stats, variable: string, what: string): void {
  const problem = stats.isSymbolicLink()
    ? 'is a symbolic link'
    : !stats.isFile()
      ? 'is not a plain file'
      : ownUid() !== undefined && stats.uid !== ownUid()
        ? 'belongs to another user'
        : undefined;
  if (problem) throw new MemoryConfigurationError(variable, `${what} ${file} ${problem}: remove it`);
}

/**
 * The demo HS256 secret, made once and kept in the data folder, so a printed token keeps
 * working after a restart. Two servers starting at once agree on the file that was written first.
 * An existing file is read only if it is a plain file of ours that no one else may read: a
 * symlink or a readable secret could be someone else's, and tokens signed with it would pass.
 */
export function demoSecretIn(folder: string): string {
  const file = join(folder, 'jwt-secret');
  try {
    const created = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    writeSync(created, Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'));
    closeSync(created);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  refuseUnsafe(file, lstatSync(file), 'FASTAGENTIC_DATA_DIR', 'the demo secret');
  // O_NOFOLLOW: a symlink swapped in since the check is not followed.
  const descriptor = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stats = fstatSync(descriptor);
    refuseUnsafe(file, stats, 'FASTAGENTIC_DATA_DIR', 'the demo secret');
    if ((stats.mode & NOT_OWNER) !== 0) {
      throw new MemoryConfigurationError('FASTAGENTIC_DATA_DIR', `the demo secret ${file} is readable by others (${octal(stats.mode)}): it may be known; remove it`);
    }
    const secret = readFileSync(descriptor, 'utf8').trim();
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new MemoryConfigurationError('FASTAGENTIC_DATA_DIR', `the demo secret ${file} is shorter than ${MIN_SECRET_LENGTH} characters: remove it`);
    }
    return secret;
  } finally {
    closeSync(descriptor);
  }
}

/**
 * The path of a SQLite database in the data folder, created 0600 before libSQL opens it: SQLite
 * gives its -wal and -shm files the database's permissions. Existing files of ours are made 0600.
 */
export function ownerOnlyDatabase(folder: string, name: string): string {
  const file = join(folder, name);
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch {
      continue;
    }
    refuseUnsafe(path, stats, 'FASTAGENTIC_DATA_DIR', 'the database');
    if ((stats.mode & NOT_OWNER) !== 0) chmodSync(path, 0o600);
  }
  return file;
}
