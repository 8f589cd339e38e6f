import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port the OS just handed out and released: free unless another process races for it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

/** A private redis-server in its own temp dir: `stop` kills it, `start` brings it back on the same port and data. */
export class RedisServerProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<RedisServerProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'fastagentic-redis-'));
    const server = new RedisServerProcess(await freePort(), dir, extraArgs);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...this.extraArgs],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitUntil(async () => (await redisCli(this.port, 'PING')) === 'PONG', `redis-server on ${this.port}`);
  }

  /** SIGKILL: a crash, not a clean shutdown, so only what Redis already made durable survives. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Three masters joined by `redis-cli --cluster create`, each with every slot range assigned. */
export class RedisClusterProcesses {
  private constructor(readonly nodes: RedisServerProcess[]) {}

  static async start(): Promise<RedisClusterProcesses> {
    const nodes: RedisServerProcess[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(await RedisServerProcess.start(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      for (const node of nodes) {
        await waitUntil(
          async () => (await redisCli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
          `cluster state ok on ${node.port}`,
        );
      }
      return new RedisClusterProcesses(nodes);
    } catch (error) {
      await Promise.all(nodes.map((node) => node.destroy()));
      throw error;
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}

/** Every key on a server whose name starts with `prefix` (SCAN, never KEYS). */
export async function scanKeys(port: number, prefix: string): Promise<string[]> {
  const escaped = prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
  const output = await redisCli(port, '--scan', '--pattern', `${escaped}*`);
  return output === '' ? [] : output.split('\n');
}
