import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { sign } from 'hono/jwt';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dataFolderFrom, demoSecretIn } from '../src/data-folder.js';
import { startNodeServer } from '../src/start-node-server.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
/** A folder of the test's own, holding the data folder so the test can open it up to others. */
function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), 'fastagentic-data-folder-'));
  roots.push(root);
  return root;
}
const modeOf = (path: string) => statSync(path).mode & 0o777;
const quietly = <T>(run: () => T): T => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    return run();
  } finally {
    warn.mockRestore();
  }
};

describe('the data folder', () => {
  it('refuses a jwt-secret planted as a symlink in a world-writable folder, so a token signed with it never works', async () => {
    const folder = join(scratch(), 'data');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const attackerSecret = 'attacker-chosen-secret-0123456789abcdef';
    const attackerFile = join(scratch(), 'attacker-secret');
    writeFileSync(attackerFile, attackerSecret, { mode: 0o644 });
    symlinkSync(attackerFile, join(folder, 'jwt-secret'));

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const started = startNodeServer({ env: { PORT: '0', FASTAGENTIC_DATA_DIR: folder } });
      await expect(started).rejects.toThrow(MemoryConfigurationError);
      await expect(started).rejects.toThrow(/jwt-secret is a symbolic link/);
      // The folder itself was ours, so it was made owner-only, and that was said in one line.
      expect(warn).toHaveBeenCalledWith(`data folder ${folder} was 0777: made it owner-only (0700)`);
    } finally {
      warn.mockRestore();
    }
    expect(modeOf(folder)).toBe(0o700);
    // The attacker's file was neither adopted nor made ours.
    expect(modeOf(attackerFile)).toBe(0o644);
    // And a server whose folder is sound does not take the attacker's token.
    const cleanFolder = join(scratch(), 'clean');
    const server = await startNodeServer({ env: { PORT: '0', FASTAGENTIC_DATA_DIR: cleanFolder } });
    try {
      const forged = await sign({ sub: 'demo-user', exp: Math.floor(Date.now() / 1000) + 600 }, attackerSecret, 'HS256');
      const response = await fetch(`${server.url}/memories`, { headers: { authorization: `Bearer ${forged}` } });
      expect(response.status).toBe(401);
      expect((await fetch(`${server.url}/memories`, { headers: { authorization: `Bearer ${server.demo!.token}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses a jwt-secret that others may read, or that is not a plain file', () => {
    const folder = join(scratch(), 'data');
    mkdirSync(folder, { mode: 0o700 });
    writeFileSync(join(folder, 'jwt-secret'), 'x'.repeat(43), { mode: 0o644 });
    chmodSync(join(folder, 'jwt-secret'), 0o644);
    expect(() => demoSecretIn(folder)).toThrow(/readable by others \(0644\)/);
    rmSync(join(folder, 'jwt-secret'));
    mkdirSync(join(folder, 'jwt-secret'));
    expect(() => demoSecretIn(folder)).toThrow(/is not a plain file/);
    rmSync(join(folder, 'jwt-secret'), { recursive: true });
    // Made afresh: 0600, and read back the same.
    const secret = demoSecretIn(folder);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(modeOf(join(folder, 'jwt-secret'))).toBe(0o600);
    expect(demoSecretIn(folder)).toBe(secret);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a folder of another user that others may write to (run as root)', () => {
    const folder = join(scratch(), 'theirs');
    mkdirSync(folder);
    chownSync(folder, 65_534, 65_534);
    chmodSync(folder, 0o777);
    expect(() => quietly(() => dataFolderFrom({ FASTAGENTIC_DATA_DIR: folder }))).toThrow(/belongs to another user and others may write to it \(0777\)/);
    expect(modeOf(folder)).toBe(0o777);
    chmodSync(folder, 0o755);
    expect(dataFolderFrom({ FASTAGENTIC_DATA_DIR: folder })).toBe(folder);
  });

  it('creates memory.db and its -wal and -shm owner-only, and repairs an existing memory.db', async () => {
    const folder = join(scratch(), 'data');
    mkdirSync(folder, { mode: 0o700 });
    const jwtSecret = 'data-folder-test-secret-0123456789abcdef';
    const previousUmask = process.umask(0o022);
    try {
      const server = await startNodeServer({ env: { PORT: '0', JWT_SECRET: jwtSecret, FASTAGENTIC_DATA_DIR: folder } });
      const token = await sign({ sub: 'db-owner', exp: Math.floor(Date.now() / 1000) + 600 }, jwtSecret, 'HS256');
      const added = await fetch(`${server.url}/memories`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'My PIN is 2468' }),
      });
      expect(added.status).toBe(201);
      for (const name of ['memory.db', 'memory.db-wal', 'memory.db-shm']) expect(modeOf(join(folder, name)), name).toBe(0o600);
      await server.close();

      chmodSync(join(folder, 'memory.db'), 0o644);
      const again = await startNodeServer({ env: { PORT: '0', JWT_SECRET: jwtSecret, FASTAGENTIC_DATA_DIR: folder } });
      expect(modeOf(join(folder, 'memory.db'))).toBe(0o600);
      await again.close();
    } finally {
      process.umask(previousUmask);
    }
  });
});
