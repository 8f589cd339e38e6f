import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionLimitsFrom } from '../src/connection-limits.js';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';

const jwtSecret = 'connection-limits-secret-0123456789abcdef';
const dataFolder = mkdtempSync(join(tmpdir(), 'fastagentic-connection-limits-'));
const servers: RunningNodeServer[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) await server.close();
  rmSync(dataFolder, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<{ host: string; port: number }> {
  const server = await startNodeServer({ env: { PORT: '0', JWT_SECRET: jwtSecret, FASTAGENTIC_DATA_DIR: dataFolder, ...env } });
  servers.push(server);
  const url = new URL(server.url);
  return { host: url.hostname, port: Number(url.port) };
}

/** A raw connection, with everything the server sends and a promise of its closing. */
function open(address: { host: string; port: number }) {
  const socket = connect(address.port, address.host);
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, closed, connected, received: () => received };
}

describe('connection limits on Node', () => {
  it('closes a connection that sends its headers a byte at a time past HEADERS_TIMEOUT_MS', async () => {
    const address = await start({ HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' });
    const slow = open(address);
    await slow.connected;
    slow.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    // Well within any idle timeout, but the headers never end.
    const drip = setInterval(() => slow.socket.write('X'), 100);
    await slow.closed;
    clearInterval(drip);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    // A prompt client is served meanwhile.
    expect((await fetch(`http://${address.host}:${address.port}/health`)).status).toBe(200);
  }, 60_000);

  it('holds at most MAX_CONNECTIONS connections: the next is closed at once, and a freed slot is used again', async () => {
    const address = await start({ MAX_CONNECTIONS: '3' });
    const held = [open(address), open(address), open(address)];
    // A full request on each: once answered, the server holds the connection (keep-alive).
    for (const connection of held) {
      await connection.connected;
      connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    }
    for (const connection of held) {
      while (!connection.received().includes('\r\n\r\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refused = open(address);
    await refused.connected;
    refused.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server counts the freed slot once it sees the close.
    for (;;) {
      const response = await fetch(`http://${address.host}:${address.port}/health`).catch(() => undefined);
      if (response?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);

  it('refuses settings that are not positive integers, naming the variable', () => {
    expect(() => connectionLimitsFrom({ MAX_CONNECTIONS: '0' })).toThrow(MemoryConfigurationError);
    expect(() => connectionLimitsFrom({ HEADERS_TIMEOUT_MS: 'soon' })).toThrow(/HEADERS_TIMEOUT_MS/);
    expect(() => connectionLimitsFrom({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).toThrow(/REQUEST_TIMEOUT_MS/);
    expect(connectionLimitsFrom({})).toMatchObject({
      maxConnections: 1024,
      serverOptions: { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
    });
  });
});
