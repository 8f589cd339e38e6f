import { MemoryConfigurationError } from '@fastagentic/memory';
import type { ServerOptions } from 'node:http';

export interface ConnectionLimits {
  serverOptions: ServerOptions;
  maxConnections: number;
}

const DEFAULTS = {
  MAX_CONNECTIONS: 1024,
  HEADERS_TIMEOUT_MS: 10_000,
  REQUEST_TIMEOUT_MS: 30_000,
  KEEP_ALIVE_TIMEOUT_MS: 5_000,
} as const;

function setting(env: Record<string, string | undefined>, name: keyof typeof DEFAULTS): number {
  const text = env[name];
  if (text === undefined || text === '') return DEFAULTS[name];
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new MemoryConfigurationError(name, `must be a positive integer, not "${text}"`);
  return value;
}

/**
 * How long a client may take to send its headers and its whole request, how long an idle
 * keep-alive connection stays open, and how many connections the server holds at once: Node's
 * defaults (60 s, 300 s, no cap) let a few thousand sockets that send their headers a byte at a
 * time hold the server.
 */
export function connectionLimitsFrom(env: Record<string, string | undefined>): ConnectionLimits {
  const headersTimeout = setting(env, 'HEADERS_TIMEOUT_MS');
  const requestTimeout = setting(env, 'REQUEST_TIMEOUT_MS');
  if (requestTimeout < headersTimeout) {
    throw new MemoryConfigurationError('REQUEST_TIMEOUT_MS', `must be at least HEADERS_TIMEOUT_MS (${headersTimeout})`);
  }
  return {
    serverOptions: {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: setting(env, 'KEEP_ALIVE_TIMEOUT_MS'),
      // Node checks both timeouts on this interval (default 30 s): without it a timeout can run late by that much.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
    },
    maxConnections: setting(env, 'MAX_CONNECTIONS'),
  };
}
