import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sign } from 'hono/jwt';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const JWT_SECRET = 'outbox-fault-secret-0123456789abcdefgh';

export interface MainProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  url: string;
  output(): string;
}

/** Runs src/main.ts with these variables over the inherited ones (no store settings inherited); resolves once it listens. */
export async function startMain(env: Record<string, string>): Promise<MainProcess> {
  const { REDIS_URL: _redis, LIBSQL_URL: _libsql, DATABASE_URL: _database, POSTGRES_URL: _postgres, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...inherited, PORT: '0', JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!/outbox journal: .*\n/.test(output) && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  if (!url || !/outbox journal: .*\n/.test(output)) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start:\n${output}`);
  }
  return { child, exited, url, output: () => output };
}

export const tokenFor = (userId: string) => sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET, 'HS256');

/** One chat; resolves to its status and whether the reply said the exchange is remembered (undefined: no answer). */
export async function chat(url: string, userId: string, message: string): Promise<{ status: number; remembered?: boolean } | undefined> {
  try {
    const response = await fetch(`${url}/chat/recent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor(userId)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    const body = (await response.json()) as { remembered?: boolean };
    return { status: response.status, remembered: body.remembered };
  } catch {
    return undefined;
  }
}

export async function health(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: await response.json() };
}

/** Polls until the outbox is empty and the stores are healthy. */
export async function untilDrained(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await health(url);
    if (status === 200 && body.writeQueue.depth === 0) return;
    if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How many of the user's memories start with each line `user: <marker>`. */
export async function storedMarkers(url: string, userId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const response = await fetch(`${url}/memories?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${await tokenFor(userId)}` },
    });
    const page = (await response.json()) as { memories: { memory: string }[]; nextCursor?: string | null };
    for (const memory of page.memories) {
      const marker = /^user: (\S+)/.exec(memory.memory)?.[1];
      if (marker) counts.set(marker, (counts.get(marker) ?? 0) + 1);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return counts;
}

export async function stop(server: MainProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (server.child.exitCode === null) server.child.kill(signal);
  return server.exited;
}
