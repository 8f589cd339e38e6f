import type { LuaScript } from './memory-scripts.js';
import type { RedisCommandRunner } from './redis-command-runner.js';
import { connectionError, isNoScriptError, isMemoryError, replyError, unexpectedError } from './redis-error.js';

/** The methods the runner uses; any @upstash/redis `Redis` (Node, Cloudflare, Fastly) has them. */
export interface UpstashScriptClient {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  hget(key: string, field: string): Promise<unknown>;
  hvals(key: string): Promise<unknown>;
}

export class UpstashCommandRunner implements RedisCommandRunner {
  constructor(
    private readonly client: UpstashScriptClient,
    private readonly provider: string,
  ) {}

  async runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    const sha1 = await script.sha1();
    try {
      return await this.client.evalsha(sha1, keys, args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return await this.client.eval(script.source, keys, args);
    }
  }

  hget(key: string, field: string): Promise<unknown> {
    return this.client.hget(key, field);
  }

  hvals(key: string): Promise<unknown> {
    return this.client.hvals(key);
  }

  toMemoryError(error: unknown): Error {
    if (isMemoryError(error)) return error;
    if (!(error instanceof Error)) return unexpectedError(this.provider, String(error), error);
    // The REST API answered with an error: Redis's own reply, or an HTTP error body. The client
    // appends the request body, which holds memory text; it stays in `cause` only.
    if (error.name === 'UpstashError') {
      const message = error.message.replace(/, command was: [\s\S]*$/, '');
      return replyError(this.provider, message, error);
    }
    // fetch failed, or a proxy answered with something that is not the REST API's JSON.
    if (error.name === 'TypeError' || error.name === 'UpstashJSONParseError' || error.name === 'TimeoutError') {
      return connectionError(this.provider, error.message, error);
    }
    return unexpectedError(this.provider, error.message, error);
  }
}
