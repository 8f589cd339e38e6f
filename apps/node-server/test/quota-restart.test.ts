import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import { afterAll, expect, it } from 'vitest';
import { startNodeServer } from '../src/start-node-server.js';

const jwtSecret = 'quota-restart-secret-0123456789abcdef';
const dataFolder = mkdtempSync(join(tmpdir(), 'fastagentic-quota-restart-'));
afterAll(() => rmSync(dataFolder, { recursive: true, force: true }));

it('a user at the quota stays at it after a restart: the count is read from the libSQL file', async () => {
  const env = { PORT: '0', JWT_SECRET: jwtSecret, FASTAGENTIC_DATA_DIR: dataFolder, QUOTA_MAX_MEMORIES: '3' };
  const token = await sign({ sub: 'hoarder', exp: Math.floor(Date.now() / 1000) + 600 }, jwtSecret, 'HS256');
  const add = (url: string, content: string) =>
    fetch(`${url}/memories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
  const first = await startNodeServer({ env });
  for (const content of ['one', 'two', 'three']) expect((await add(first.url, content)).status).toBe(201);
  const refused = await add(first.url, 'four');
  expect(refused.status).toBe(507);
  expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ type: 'quota_exceeded', limit: 'memories', max: 3 });
  await first.close();

  const second = await startNodeServer({ env });
  try {
    expect((await add(second.url, 'four, after a restart')).status).toBe(507);
  } finally {
    await second.close();
  }
}, 60_000);
