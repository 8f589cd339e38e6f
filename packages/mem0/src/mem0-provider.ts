import {
  extractUserId,
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type CallOptions,
  type GetAllOptions,
  type Memory,
  type MemoryCapabilities,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type SearchOptions,
} from '@fastagentic/memory';
import {
  assertFilterSupported,
  delay,
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
} from '@fastagentic/memory/provider';
import { escapeUserId } from './escape-user-id.js';
import { decodePageCursor, encodePageCursor } from './page-cursor.js';
import { readEnv } from './read-env.js';
import { ResilientMemoryClient } from './resilient-memory-client.js';
import { parseRetryPolicy, type RetryOptions } from './retry-policy.js';
import { newestFirst, toCoreMemory, type Mem0Record } from './to-core-memory.js';
import { MEM0_PLATFORM_FILTERS, toMem0Filter } from './to-mem0-filter.js';

export interface ReadYourWritesOptions {
  /** Longest wait for Mem0 to finish processing an add. Default 20 s. */
  timeoutMs?: number;
  /** Pause between event status checks. Default 250 ms. */
  intervalMs?: number;
}

export interface Mem0ProviderOptions {
  /** Mem0 API key. Default: the MEM0_API_KEY environment variable. */
  apiKey?: string;
  /** Organization the key must belong to: sent as org_id and checked against the key's /v1/ping/. */
  orgId?: string;
  /** Project the key must belong to: sent as project_id and checked against the key's /v1/ping/. */
  projectId?: string;
  /** API base URL. Default: mem0ai's (https://api.mem0.ai). */
  host?: string;
  /** Dotted path of the user id in a request context, for `userIdFrom`. Default `user.id`. */
  userIdField?: string;
  /**
   * Mem0 processes adds in the background. With this on, `add` resolves only once Mem0 reports
   * the add processed (its event SUCCEEDED), so the next read sees it; bounded by `timeoutMs`.
   */
  readYourWrites?: boolean | ReadYourWritesOptions;
  /** Retries of HTTP 429, 5xx, network errors and timeouts. */
  retry?: RetryOptions;
  /** Per HTTP attempt. Default 30 s. */
  timeoutMs?: number;
  /** Lets mem0ai send its analytics (and honour MEM0_TELEMETRY itself). Default false: nothing is sent. */
  telemetry?: boolean;
  /**
   * `true` (default): Mem0's LLM extracts facts from the messages (`storage: 'extracted'`).
   * `false`: Mem0 stores the messages as given (`infer: false`, `storage: 'verbatim'`), which is
   * what @fastagentic/encryption needs.
   */
  infer?: boolean;
  /** Self-hosted Mem0 config: only on the Node entry, `@fastagentic/mem0/oss`. */
  config?: unknown;
}

interface AddResponseItem {
  eventId?: string;
  id?: string;
  status?: string;
}

interface PingResponse {
  status?: string;
  org_id?: string;
  project_id?: string;
}

interface EventResponse {
  status?: string;
}

const PROVIDER = 'mem0';
const LIST_PAGE_SIZE = 100;

function positiveMs(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MemoryConfigurationError(option, 'must be a positive number of milliseconds');
  }
  return value;
}

function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new MemoryConfigurationError(option, 'must be a non-empty string');
  return value;
}

/** The records of a list or search answer: a bare array, or `{ results: [...] }`. */
function recordsOf<T>(response: unknown): T[] {
  if (Array.isArray(response)) return response as T[];
  const results = (response as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as T[]) : [];
}

/** The first item of an add answer: one object, or the first of an array or of `results`. */
function addItemOf(response: unknown): AddResponseItem | undefined {
  const records = recordsOf<AddResponseItem>(response);
  if (records.length > 0) return records[0];
  return response !== null && typeof response === 'object' && !Array.isArray(response) ? (response as AddResponseItem) : undefined;
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return ProviderUnavailableError.isInstance(error) && statuses.includes(error.statusCode ?? -1);
}

/**
 * The Mem0 platform as a FastAgentic memory provider, through the official mem0ai MemoryClient.
 * Runs on Node and on Cloudflare Workers. Adds are processed by Mem0 in the background: `add`
 * resolves to Mem0's event id, and the memory is searchable a moment later (or at once with
 * `readYourWrites`).
 */
export class Mem0Provider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = PROVIDER;
  readonly capabilities: MemoryCapabilities;
  readonly userIdField: string;
  /**
   * The underlying mem0ai MemoryClient (with this provider's retries, timeouts and quiet
   * telemetry), for Mem0 features this interface does not cover: update, history, webhooks.
   */
  readonly client: ResilientMemoryClient;
  private readonly orgId: string | undefined;
  private readonly projectId: string | undefined;
  private readonly readYourWrites: Required<ReadYourWritesOptions> | undefined;
  private readonly infer: boolean;
  private accountCheck: Promise<void> | undefined;

  constructor(options: Mem0ProviderOptions = {}) {
    if (options.config !== undefined) {
      throw new MemoryConfigurationError(
        'config',
        'self-hosted Mem0 runs on Node only: import { Mem0Provider } from "@fastagentic/mem0/oss"',
      );
    }
    const apiKey = optionalString(options.apiKey, 'apiKey') ?? readEnv('MEM0_API_KEY');
    if (apiKey === undefined) {
      throw new MemoryConfigurationError('apiKey', 'pass apiKey or set the MEM0_API_KEY environment variable');
    }
    this.orgId = optionalString(options.orgId, 'orgId');
    this.projectId = optionalString(options.projectId, 'projectId');
    this.userIdField = optionalString(options.userIdField, 'userIdField') ?? 'user.id';
    if (options.infer !== undefined && typeof options.infer !== 'boolean') {
      throw new MemoryConfigurationError('infer', 'must be a boolean');
    }
    this.infer = options.infer ?? true;
    this.capabilities = {
      semanticSearch: true,
      filters: MEM0_PLATFORM_FILTERS,
      ttl: false,
      consistency: 'eventual',
      addResult: 'event-id',
      storage: this.infer ? 'extracted' : 'verbatim',
    };
    const host = optionalString(options.host, 'host');
    if (host !== undefined && !/^https?:\/\/[^/]/.test(host)) {
      throw new MemoryConfigurationError('host', 'must be an http(s) URL such as https://api.mem0.ai');
    }
    const wait = options.readYourWrites;
    if (wait !== undefined && typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
      throw new MemoryConfigurationError('readYourWrites', 'must be a boolean or { timeoutMs, intervalMs }');
    }
    this.readYourWrites =
      wait === undefined || wait === false
        ? undefined
        : {
            timeoutMs: positiveMs(wait === true ? undefined : wait.timeoutMs, 'readYourWrites.timeoutMs', 20_000),
            intervalMs: positiveMs(wait === true ? undefined : wait.intervalMs, 'readYourWrites.intervalMs', 250),
          };
    this.client = new ResilientMemoryClient({
      apiKey,
      host: host?.replace(/\/+$/, ''),
      retry: parseRetryPolicy(options.retry),
      timeoutMs: positiveMs(options.timeoutMs, 'timeoutMs', 30_000),
      telemetry: options.telemetry === true,
    });
  }

  /** The user id in a request context, read at `userIdField` (the spec's `user_id_field`). */
  userIdFrom(context: unknown): string {
    return extractUserId(context, this.userIdField);
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: CallOptions): Promise<string> {
    const id = escapeUserId(validateUserId(userId));
    const checked = validateMessages(messages);
    const meta = validateMetadata(metadata);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    const response = await this.client.withSignal(signal).add(
      checked.map((message) => ({ role: message.role, content: message.content })) as never,
      { userId: id, metadata: meta, ...(this.infer ? {} : { infer: false }), ...this.scope() },
    );
    const item = addItemOf(response);
    const result = item?.eventId ?? item?.id;
    if (result === undefined) {
      throw new ProviderUnavailableError(PROVIDER, `unexpected add response: ${JSON.stringify(response).slice(0, 200)}`, {
        isRetryable: false,
      });
    }
    if (this.readYourWrites !== undefined && item?.eventId !== undefined) await this.waitForEvent(item.eventId, signal);
    return result;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const id = escapeUserId(validateUserId(userId));
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    const response = await this.client.withSignal(signal).search(text, {
      filters: toMem0Filter(id, filter),
      topK: limit,
      // Without a floor Mem0 applies its own default threshold, which keeps unrelated memories out.
      ...(minRelevance > 0 ? { threshold: minRelevance } : {}),
      ...this.scope(),
    });
    return recordsOf<Mem0Record & { userId?: string }>(response)
      .filter((record) => record.userId === undefined || record.userId === id)
      .map((record) => toCoreMemory(record, userId, true))
      .filter((memory) => memory.score! >= minRelevance)
      .sort((a, b) => b.score! - a.score!)
      .slice(0, limit);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const id = escapeUserId(validateUserId(userId));
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    const offset = decodePageCursor(cursor);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    // Mem0 does not promise newest-first order across its pages, so every page is read and sorted.
    const all: Memory[] = [];
    const client = this.client.withSignal(signal);
    for (let page = 1; ; page++) {
      const response = (await client.getAll({
        filters: toMem0Filter(id, filter),
        page,
        pageSize: LIST_PAGE_SIZE,
        ...this.scope(),
      })) as unknown;
      const records = recordsOf<Mem0Record & { userId?: string }>(response);
      for (const record of records) {
        if (record.userId === undefined || record.userId === id) all.push(toCoreMemory(record, userId, false));
      }
      const next = (response as { next?: unknown } | null)?.next;
      if (records.length < LIST_PAGE_SIZE || next === null || next === undefined || Array.isArray(response)) break;
    }
    all.sort(newestFirst);
    const memories = all.slice(offset, offset + limit);
    return { memories, nextCursor: offset + limit < all.length ? encodePageCursor(offset + limit) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const id = escapeUserId(validateUserId(userId));
    const checkedId = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    const record = await this.fetchOwned(id, checkedId, signal);
    return record === null ? null : toCoreMemory(record, userId, false);
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const id = escapeUserId(validateUserId(userId));
    const checkedId = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    // Mem0 deletes by id alone: ownership is checked first so one user never deletes another's memory.
    if ((await this.fetchOwned(id, checkedId, signal)) === null) throw new MemoryNotFoundError(checkedId);
    try {
      await this.client.withSignal(signal).delete(checkedId);
    } catch (error) {
      if (isStatus(error, 404)) throw new MemoryNotFoundError(checkedId, { cause: error });
      throw error;
    }
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const id = escapeUserId(validateUserId(userId));
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    await this.checkAccount(signal);
    const client = this.client.withSignal(signal);
    // Mem0's delete-all does not say how many it removed: one listing request reads the count first.
    const listing = (await client.getAll({ filters: toMem0Filter(id, undefined), page: 1, pageSize: 1, ...this.scope() })) as unknown;
    const count = Array.isArray(listing)
      ? listing.length
      : Number((listing as { count?: unknown } | null)?.count ?? recordsOf(listing).length);
    await client.deleteAll({ userId: id, ...this.scope() });
    return count;
  }

  private scope(): { orgId?: string; projectId?: string } {
    return {
      ...(this.orgId === undefined ? {} : { orgId: this.orgId }),
      ...(this.projectId === undefined ? {} : { projectId: this.projectId }),
    };
  }

  private async fetchOwned(mem0UserId: string, memoryId: string, signal: AbortSignal | undefined): Promise<Mem0Record | null> {
    try {
      const record = (await this.client.withSignal(signal).get(memoryId)) as Mem0Record & { userId?: string | null };
      return record.userId === mem0UserId ? record : null;
    } catch (error) {
      // Mem0 answers 400 for an id that is not a UUID and 404 for one it does not hold.
      if (isStatus(error, 400, 404)) return null;
      throw error;
    }
  }

  /** Once per provider: the key's own org and project (from /v1/ping/) must be the configured ones. */
  private checkAccount(signal: AbortSignal | undefined): Promise<void> {
    if (this.orgId === undefined && this.projectId === undefined) return Promise.resolve();
    this.accountCheck ??= (async () => {
      const ping = (await this.client.withSignal(signal).requestJson('/v1/ping/')) as PingResponse;
      if (ping.status !== 'ok') throw new MemoryConfigurationError('apiKey', `Mem0 /v1/ping/ answered ${JSON.stringify(ping)}`);
      if (this.orgId !== undefined && ping.org_id !== undefined && ping.org_id !== this.orgId) {
        throw new MemoryConfigurationError('orgId', `the API key belongs to organization ${ping.org_id}, not ${this.orgId}`);
      }
      if (this.projectId !== undefined && ping.project_id !== undefined && ping.project_id !== this.projectId) {
        throw new MemoryConfigurationError('projectId', `the API key belongs to project ${ping.project_id}, not ${this.projectId}`);
      }
    })();
    const check = this.accountCheck;
    // A failed check (network, abort) is not remembered; a mismatch fails again on the next call anyway.
    check.catch(() => {
      if (this.accountCheck === check) this.accountCheck = undefined;
    });
    return check;
  }

  private async waitForEvent(eventId: string, signal: AbortSignal | undefined): Promise<void> {
    const { timeoutMs, intervalMs } = this.readYourWrites!;
    const deadline = Date.now() + timeoutMs;
    const client = this.client.withSignal(signal);
    for (;;) {
      const event = (await client.requestJson(`/v1/event/${encodeURIComponent(eventId)}/`)) as EventResponse;
      if (event.status === 'SUCCEEDED') return;
      if (event.status === 'FAILED') {
        throw new ProviderUnavailableError(PROVIDER, `Mem0 failed to process add event ${eventId}`, { isRetryable: false });
      }
      if (Date.now() + intervalMs > deadline) {
        throw new ProviderUnavailableError(
          PROVIDER,
          `add event ${eventId} was accepted but not processed within ${timeoutMs} ms (readYourWrites.timeoutMs)`,
          { isRetryable: false },
        );
      }
      await delay(intervalMs, signal);
    }
  }
}
