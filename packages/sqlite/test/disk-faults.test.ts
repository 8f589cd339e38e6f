import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderUnavailableError } from '@fastagentic/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '../src/index.js';

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
const mountPoints: string[] = [];

/**
 * A small tmpfs of our own per test: filling it or making it read-only touches nothing else (CI
 * runs as root). One per test: @libsql/client keeps a closed client's files open until the process
 * exits, and a file system with a file open for writing cannot turn read-only.
 */
function tmpfs(): string {
  const mountPoint = mkdtempSync(join(tmpdir(), 'sqlite-disk-faults-'));
  mount('-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint);
  mountPoints.push(mountPoint);
  return mountPoint;
}
afterAll(() => {
  for (const mountPoint of mountPoints) {
    // Lazily, for the files still held open.
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});

const note = (content: string) => [{ role: 'user' as const, content }];

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('LibsqlProvider on a disk that fills up or turns read-only', () => {
  it('a full disk is a retryable failure that was not applied; the same provider writes again once there is space', async () => {
    const mountPoint = tmpfs();
    const provider = new LibsqlProvider({ url: `file:${join(mountPoint, 'full.db')}` });
    try {
      await provider.add('u', note('before'), undefined, { idempotencyKey: 'k0' });
      const filler = join(mountPoint, 'filler');
      // Fill what is left (the write stops at ENOSPC), then try to store more than fits in the WAL's free pages.
      try {
        writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
      } catch {
        // ENOSPC: the disk is full, as intended.
      }
      const full = await failure(async () => {
        for (let i = 0; i < 50; i++) await provider.add('u', note(`${i} ${'x'.repeat(30_000)}`));
      });
      expect(ProviderUnavailableError.isInstance(full) && full.isRetryable).toBe(true);
      expect(String((full as Error).message)).toMatch(/full/i);
      rmSync(filler);
      await provider.add('u', note('after'), undefined, { idempotencyKey: 'k1' });
      const texts = (await provider.getAll('u', { limit: 100 })).memories.map((memory) => memory.memory);
      expect(texts).toContain('before');
      expect(texts).toContain('after');
    } finally {
      await provider.close();
    }
  });

  it('a database opened read-only is a retryable failure; once writable the provider reconnects without a restart', async () => {
    const mountPoint = tmpfs();
    const url = `file:${join(mountPoint, 'readonly.db')}`;
    // Created by another process, which exits, so no file is held open for writing.
    execFileSync(process.execPath, ['--import', 'tsx', '-e', `
      import { LibsqlProvider } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).pathname)};
      const creator = new LibsqlProvider({ url: ${JSON.stringify(url)} });
      await creator.add('u', [{ role: 'user', content: 'first' }]);
      await creator.close();
    `], { stdio: 'pipe' });
    mount('-o', 'remount,ro', mountPoint);
    const provider = new LibsqlProvider({ url });
    try {
      const refused = await failure(() => provider.add('u', note('while read-only'), undefined, { idempotencyKey: 'k' }));
      expect(ProviderUnavailableError.isInstance(refused) && refused.isRetryable).toBe(true);
      mount('-o', 'remount,rw', mountPoint);
      await provider.add('u', note('while read-only'), undefined, { idempotencyKey: 'k' });
      expect((await provider.getAll('u')).memories.map((memory) => memory.memory).sort()).toEqual(['first', 'while read-only']);
    } finally {
      mount('-o', 'remount,rw', mountPoint);
      await provider.close();
    }
  });
});
