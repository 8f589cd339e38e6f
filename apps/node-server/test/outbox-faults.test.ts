import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServerProcess } from '@fastagentic/test-services';
import { afterAll, describe, expect, it } from 'vitest';
import { chat, health, startMain, stop, storedMarkers, tokenFor, untilDrained, type MainProcess } from './main-process.js';

const folders: string[] = [];
const mounts: string[] = [];
const running: MainProcess[] = [];
const freshFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'fastagentic-outbox-'));
  folders.push(folder);
  return folder;
};
const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
/** A small tmpfs of our own (CI runs as root): filling it or making it read-only touches nothing else. */
const tmpfs = (size: string) => {
  const folder = freshFolder();
  mount('-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', folder);
  mounts.push(folder);
  return folder;
};
// The raw exchange is what a reply journals; a formed turn is journaled only once formed (see the README).
const launch = async (env: Record<string, string>) => {
  const server = await startMain({ MEMORY_FORMATION: 'off', ...env });
  running.push(server);
  return server;
};
afterAll(async () => {
  for (const server of running) await stop(server, 'SIGKILL');
  for (const folder of mounts) execFileSync('umount', ['-l', folder]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Chats from several users at once until `stop` is set; returns the markers each reply promised to remember. */
function load(url: () => string, users: number, prefix: string) {
  const promised = new Map<string, string[]>();
  const state = { stop: false };
  const done = Promise.all(
    Array.from({ length: users }, async (_, user) => {
      const userId = `${prefix}-${user}`;
      promised.set(userId, []);
      for (let i = 0; !state.stop; i++) {
        const marker = `${prefix}-${user}-${i}`;
        const answer = await chat(url(), userId, marker);
        if (answer?.status === 200 && answer.remembered) promised.get(userId)!.push(marker);
        if (answer === undefined) await sleep(20);
      }
    }),
  );
  return { promised, state, done };
}

async function expectStoredOnce(url: string, promised: Map<string, string[]>): Promise<number> {
  let total = 0;
  for (const [userId, markers] of promised) {
    const stored = await storedMarkers(url, userId);
    for (const marker of markers) expect([marker, stored.get(marker)]).toEqual([marker, 1]);
    // Unanswered chats may or may not have been stored, but never twice.
    for (const count of stored.values()) expect(count).toBe(1);
    total += markers.length;
  }
  return total;
}

describe('the outbox journal on the Node server', () => {
  it('SIGKILL mid-load on the default store: the next start replays, every promised exchange stored exactly once', async () => {
    const data = freshFolder();
    const first = await launch({ FASTAGENTIC_DATA_DIR: data });
    const traffic = load(() => first.url, 6, 'kill');
    await sleep(1500);
    first.child.kill('SIGKILL');
    await first.exited;
    traffic.state.stop = true;
    await traffic.done;

    const second = await launch({ FASTAGENTIC_DATA_DIR: data });
    await untilDrained(second.url);
    const promised = await expectStoredOnce(second.url, traffic.promised);
    expect(promised).toBeGreaterThan(0);
    console.log(`SIGKILL: ${promised} exchanges promised; ${/replaying (\d+)/.exec(second.output())?.[1] ?? 0} replayed by the next start`);
    expect(await stop(second)).toBe(0);
  }, 90_000);

  it('a full disk under the store: chats still promise (the journal is elsewhere), /health is not ok, nothing is lost once space returns', async () => {
    const disk = tmpfs('3m');
    const server = await launch({ FASTAGENTIC_DATA_DIR: freshFolder(), LIBSQL_URL: `file:${join(disk, 'memory.db')}`, MEMORY_BUDGET_MS: '2000' });
    expect((await chat(server.url, 'full-0', 'before-the-disk-filled'))?.status).toBe(200);
    await untilDrained(server.url);
    try {
      writeFileSync(join(disk, 'filler'), Buffer.alloc(8 * 1024 * 1024));
    } catch {
      // ENOSPC: the disk is full, as intended.
    }
    const promised = new Map<string, string[]>([['full-0', []]]);
    for (let i = 0; i < 40; i++) {
      const marker = `full-0-${i}-${'x'.repeat(2000)}`;
      const answer = await chat(server.url, 'full-0', marker);
      expect(answer?.status).toBe(200);
      if (answer?.remembered) promised.get('full-0')!.push(marker);
    }
    expect(promised.get('full-0')!.length).toBe(40);
    const deadline = Date.now() + 20_000;
    let refusing = await health(server.url);
    while (refusing.status === 200 && Date.now() < deadline) {
      await sleep(100);
      refusing = await health(server.url);
    }
    expect(refusing.status).toBe(503);
    expect(refusing.body.status).toBe('degraded');
    expect(JSON.stringify(refusing.body.stores)).toMatch(/full/i);
    expect(refusing.body.writeQueue.depth).toBeGreaterThan(0);

    rmSync(join(disk, 'filler'));
    await untilDrained(server.url);
    expect(await expectStoredOnce(server.url, promised)).toBe(40);
    expect(await stop(server)).toBe(0);
  }, 90_000);

  it('SIGTERM with the store down exits 0 within the drain bound; the next start stores the rest', async () => {
    const redis = await RedisServerProcess.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    try {
      const env = { FASTAGENTIC_DATA_DIR: freshFolder(), REDIS_URL: redis.url, MEMORY_BUDGET_MS: '300', SHUTDOWN_DRAIN_MS: '1500' };
      const first = await launch(env);
      await redis.stop();
      const promised = new Map<string, string[]>([['term-0', []]]);
      for (let i = 0; i < 10; i++) {
        const answer = await chat(first.url, 'term-0', `term-0-${i}`);
        expect(answer?.status).toBe(200);
        if (answer?.remembered) promised.get('term-0')!.push(`term-0-${i}`);
      }
      const signalled = Date.now();
      expect(await stop(first)).toBe(0);
      // The drain bound (1.5 s) plus the time to close on a loaded machine; without the bound it never exits.
      expect(Date.now() - signalled).toBeLessThan(15_000);
      expect(first.output()).toMatch(/SIGTERM: finishing 10 background write\(s\), then exiting \(waiting at most 1500 ms\)/);
      expect(first.output()).toMatch(/10 write\(s\) not stored yet: left in the outbox journal/);

      await redis.start();
      const second = await launch(env);
      expect(second.output()).toContain('replaying 10 write(s)');
      await untilDrained(second.url);
      expect(await expectStoredOnce(second.url, promised)).toBe(10);
      expect(await stop(second)).toBe(0);
    } finally {
      await redis.destroy();
    }
  }, 90_000);

  it('a second SIGTERM exits at once, saying how many writes it leaves in the journal', async () => {
    const redis = await RedisServerProcess.start();
    try {
      const server = await launch({ FASTAGENTIC_DATA_DIR: freshFolder(), REDIS_URL: redis.url, MEMORY_BUDGET_MS: '300', SHUTDOWN_DRAIN_MS: '600000' });
      await redis.stop();
      expect((await chat(server.url, 'again-0', 'again-0-0'))?.remembered).toBe(true);
      server.child.kill('SIGTERM');
      while (!server.output().includes('SIGTERM: finishing')) await sleep(20);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/SIGTERM again: exiting now, 1 write\(s\) left in the outbox journal/);
    } finally {
      await redis.destroy();
    }
  }, 60_000);

  it('two servers on one Redis: a forget through one while the other holds queued writes leaves nothing after both drain', async () => {
    const redis = await RedisServerProcess.start();
    // Server B reaches Redis through this proxy; cutting it makes B queue its writes while A still reaches Redis.
    const proxy = await RedisProxy.start(redis.port);
    try {
      const a = await launch({ FASTAGENTIC_DATA_DIR: freshFolder(), REDIS_URL: redis.url, MEMORY_BUDGET_MS: '300' });
      const b = await launch({ FASTAGENTIC_DATA_DIR: freshFolder(), REDIS_URL: proxy.url, MEMORY_BUDGET_MS: '300' });
      proxy.cut();
      for (let i = 0; i < 5; i++) expect((await chat(b.url, 'shared-0', `shared-0-${i}`))?.remembered).toBe(true);
      expect((await health(b.url)).body.writeQueue.depth).toBe(5);
      await sleep(5);
      const forget = await fetch(`${a.url}/users/shared-0/forget`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor('shared-0')}` } });
      expect(forget.status).toBe(200);
      proxy.resume();
      await untilDrained(b.url);
      await untilDrained(a.url);
      // B's writes were promised before the forget: Redis's fence refused them.
      expect([...(await storedMarkers(a.url, 'shared-0')).keys()]).toEqual([]);
      await sleep(5);
      expect((await chat(b.url, 'shared-0', 'shared-0-after'))?.remembered).toBe(true);
      await untilDrained(b.url);
      expect([...(await storedMarkers(a.url, 'shared-0')).keys()]).toEqual(['shared-0-after']);
    } finally {
      await proxy.close();
      await redis.destroy();
    }
  }, 90_000);
});

/** A TCP proxy to a local port that can drop every connection and refuse new ones, then let them through again. */
class RedisProxy {
  private open = true;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<RedisProxy> {
    let proxy!: RedisProxy;
    const server = createServer((socket) => {
      if (!proxy.open) {
        socket.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const end of [socket, upstream]) {
        proxy.sockets.add(end);
        end.on('close', () => proxy.sockets.delete(end));
        end.on('error', () => {
          socket.destroy();
          upstream.destroy();
        });
      }
      socket.pipe(upstream).pipe(socket);
    });
    proxy = new RedisProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  resume(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
