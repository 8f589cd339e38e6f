import type { Cluster, Redis } from 'ioredis';
import type { LuaScript } from './memory-scripts.js';
import type { RedisCommandRunner } from './redis-command-runner.js';
import { connectionError, isNoScriptError, isMemoryError, replyError, unexpectedError } from './redis-error.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// Messages ioredis uses when a command cannot reach the server or gets no answer.
const CONNECTION_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'None of startup nodes is available',
  "Cluster isn't ready",
  'Failed to refresh slots cache',
];

export class IoredisCommandRunner implements RedisCommandRunner {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly provider: string,
    /** Settles once the first connection attempt of a client this package created is over. */
    private firstAttempt?: Promise<void>,
  ) {}

  async runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    if (this.firstAttempt) await this.waitForFirstAttempt();
    const sha1 = await script.sha1();
    try {
      return await this.client.evalsha(sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return await this.client.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  hget(key: string, field: string): Promise<unknown> {
    if (this.firstAttempt) return this.waitForFirstAttempt().then(() => this.client.hget(key, field));
    return this.client.hget(key, field);
  }

  hvals(key: string): Promise<unknown> {
    if (this.firstAttempt) return this.waitForFirstAttempt().then(() => this.client.hvals(key));
    return this.client.hvals(key);
  }

  private async waitForFirstAttempt(): Promise<void> {
    await this.firstAttempt;
    this.firstAttempt = undefined;
  }

  toMemoryError(error: unknown): Error {
    if (isMemoryError(error)) return error;
    if (!(error instanceof Error)) return connectionError(this.provider, String(error), error);
    if (error.name === 'ReplyError') return replyError(this.provider, error.message, error);
    const code = (error as NodeJS.ErrnoException).code;
    if (
      error.name === 'MaxRetriesPerRequestError' ||
      error.name === 'ClusterAllFailedError' ||
      (code !== undefined && CONNECTION_CODES.has(code)) ||
      CONNECTION_MESSAGES.some((message) => error.message.includes(message))
    ) {
      return connectionError(this.provider, error.message, error);
    }
    return unexpectedError(this.provider, error.message, error);
  }
}
