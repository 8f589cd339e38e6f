import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Mem0Provider } from '../src/index.js';
import { Mem0Provider as SelfHostedMem0Provider } from '../src/oss.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';
import { localSelfHostedConfig, OpenAICompatibleServer } from './openai-compatible-server.js';

// mem0ai decides whether telemetry is on when it loads, from MEM0_TELEMETRY: unset it before the
// imports so mem0ai's telemetry is armed (self-hosted, and the control) and only the adapter
// stands between it and the network. The platform provider has no telemetry at all.
vi.hoisted(() => {
  delete process.env.MEM0_TELEMETRY;
});

const home = mkdtempSync(join(tmpdir(), 'mem0-telemetry-'));
const quietDir = join(home, 'quiet');
const controlDir = join(home, 'control');
const offLoopback: string[] = [];
const realFetch = globalThis.fetch;
const platform = new Mem0PlatformServer({ apiKey: 'k' });
const llm = new OpenAICompatibleServer();

beforeAll(async () => {
  process.env.MEM0_DIR = quietDir;
  // Records every request; anything not bound for loopback is refused here, never sent.
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === '127.0.0.1') return realFetch(input, init);
    offLoopback.push(url.origin);
    return new Response('refused by the test', { status: 503 });
  }) as typeof fetch;
  await platform.start();
  await llm.start();
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  delete process.env.MEM0_DIR;
  await platform.stop();
  await llm.stop();
  rmSync(home, { recursive: true, force: true });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('nothing but the configured server is contacted (MEM0_TELEMETRY unset)', () => {
  it('Mem0Provider sends nothing but its own requests to the configured server and writes no MEM0_DIR', async () => {
    const provider = new Mem0Provider({ apiKey: 'k', baseUrl: platform.url, readYourWrites: true });
    const before = platform.requests.length;
    await provider.add('t-user', [{ role: 'user', content: 'Telemetry check fact' }]);
    await provider.search('t-user', 'telemetry');
    await provider.deleteAll('t-user');
    await settle();
    expect(offLoopback).toEqual([]);
    expect(existsSync(quietDir)).toBe(false);
    // add, its event polls, search, the listing and the delete-all: nothing else, no identity ping.
    const paths = platform.requests.slice(before).map((request) => `${request.method} ${request.path}`);
    expect(paths[0]).toBe('POST /v3/memories/add/');
    expect(paths.slice(-3)).toEqual(['POST /v3/memories/search/', 'POST /v3/memories/', 'DELETE /v1/memories/']);
    expect(paths.slice(1, -3).every((path) => path.startsWith('GET /v1/event/'))).toBe(true);
    expect(paths.slice(1, -3).length).toBeGreaterThan(0);
  });

  it('the self-hosted provider sends nothing off loopback and writes no MEM0_DIR', async () => {
    const provider = new SelfHostedMem0Provider({ config: localSelfHostedConfig(llm.url) });
    await provider.add('t-user', [{ role: 'user', content: 'Self-hosted telemetry check' }]);
    await provider.search('t-user', 'telemetry');
    await provider.deleteAll('t-user');
    await settle();
    expect(offLoopback).toEqual([]);
    expect(existsSync(quietDir)).toBe(false);
    expect(llm.calls.length).toBeGreaterThan(0);
  });

  it('control: mem0ai itself, with MEM0_TELEMETRY unset, does try to post events and writes MEM0_DIR', async () => {
    process.env.MEM0_DIR = controlDir;
    const { MemoryClient } = await import('mem0ai');
    const client = new MemoryClient({ apiKey: 'k', host: platform.url });
    await client.search('anything', { filters: { user_id: 't-user' } });
    await vi.waitFor(() => expect(offLoopback.length).toBeGreaterThan(0), { timeout: 2_000 });
    expect(offLoopback.every((origin) => !origin.includes('127.0.0.1'))).toBe(true);
    expect(existsSync(join(controlDir, 'config.json'))).toBe(true);
    process.env.MEM0_DIR = quietDir;
  });
});
