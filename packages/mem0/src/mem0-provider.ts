import {
  extractUserId,
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type AddOptions,
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
  compareRanked,
  delay,
  HttpJsonClient,
  matchesFilter,
  MEMORY_LIMITS,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseRetryPolicy,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type RetryOptions,
} from '@fastagentic/memory/provider';
import { escapeUserId } from './escape-user-id.js';
import { loadOptionalPeer } from './load-optional-peer.js';
import { decodePageCursor, encodePageCursor } from './page-cursor.js';
import { readEnv } from './read-env.js';
import { toCoreMemory, type Mem0Record } from './to-core-memory.js';
import { MEM0_PLATFORM_FILTERS, toMem0Filter } from './to-mem0-filter.js';

const PROVIDER = 'mem0';
/** Sent as X-Mem0-Client, where mem0ai sends `mem0-js/<version>`: Mem0 sees which client called. */
export const MEM0_CLIENT_HEADER = 'fastagentic-mem0/0.1.0';

export interface ReadYourWritesOptions {
  /** Longest wait for Mem0 to finish processing an add; past it, `add` resolves anyway. Default 20 s. */
  timeoutMs?: number;
  /** Pause between event status checks. Default 250 ms. */
  intervalMs?: number;
}

export interface Mem0EncryptionOptions {
  /** Metadata fields filterable by equality through a blind index (`categories`: the memory's categories). Default `['categories']`. */
  filterableFields?: readonly string[];
  /** Memories kept decrypted in this process. Default 10,000. */
  cacheSize?: number;
}

export interface Mem0ProviderOptions {
  /** Mem0 API key. Default: the MEM0_API_KEY environment variable. */
  apiKey?: string;
  /** Organization the key must belong to: sent as org_id and checked against the key's /v1/ping/. */
  orgId?: string;
  /** Project the key must belong to: sent as project_id and checked against the key's /v1/ping/. */
  projectId?: string;
  /** Mem0 API address. Default https://api.mem0.ai. */
  baseUrl?: string;
  /** @deprecated Use `baseUrl`. */
  host?: string;
  /** Dotted path of the user id in a request context, for `userIdFrom`. Default `user.id`. */
  userIdField?: string;
  /**
   * Mem0 processes adds in the background. With this on, `add` resolves once Mem0 reports the
   * add processed (its event SUCCEEDED), so the next read sees it; when `timeoutMs` runs out it
   * resolves anyway (the add was acknowledged).
   */
  readYourWrites?: boolean | ReadYourWritesOptions;
  /** Retries (see the README's error table). Default: the core's DEFAULT_RETRY_POLICY. */
  retry?: RetryOptions;
  /** Per HTTP attempt. Default 30 s. */
  timeoutMs?: number;
  /**
   * `true` (default): Mem0's LLM extracts facts from the messages (`storage: 'extracted'`).
   * `false`: Mem0 stores the messages as given (`infer: false`, `storage: 'verbatim'`).
   */
  infer?: boolean;
  /**
   * The spec's `encryption_key`: 32 bytes (base64 or raw). Memories are encrypted in this process
   * with @fastagentic/encryption (an optional peer, loaded on the first call) and stored verbatim
   * (`infer: false`), so Mem0 holds only ciphertext; search then ranks lexically in this process.
   */
  encryptionKey?: string | Uint8Array;
  /** With `encryptionKey`: the blind-indexed fields and the decryption cache. */
  encryption?: Mem0EncryptionOptions;
  /** Self-hosted Mem0 config: only on the Node entry, `@fastagentic/mem0/oss`. */
  config?: unknown;
}

interface AddAnswer {
  event_id?: string;
  id?: string;
}

interface PingAnswer {
  status?: string;
  org_id?: string;
  project_id?: string;
}

interface ListAnswer {
  count?: number;
  next?: string | null;
  results?: Mem0Record[];
}

const DEFAULT_BASE_URL = 'https://api.mem0.ai';
const LIST_PAGE_SIZE = 100;
const ENCRYPTED_FILTERS: MemoryCapabilities['filters'] = ['eq', 'ne', 'in', 'nin', 'and', 'or', 'not'];

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

function parseBaseUrl(options: Mem0ProviderOptions): string {
  const option = options.baseUrl !== undefined ? 'baseUrl' : 'host';
  const url = optionalString(options.baseUrl ?? options.host, option) ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new MemoryConfigurationError(option, 'must be an http(s) URL such as https://api.mem0.ai');
  return url.replace(/\/+$/, '');
}

/** The records of a list or search answer: a bare array, or `{ results: [...] }`. */
function recordsOf(answer: unknown): Mem0Record[] {
  if (Array.isArray(answer)) return answer as Mem0Record[];
  const results = (answer as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as Mem0Record[]) : [];
}

/** The first item of an add answer: one object, or the first of an array or of `results`. */
function addItemOf(answer: unknown): AddAnswer | undefined {
  const records = recordsOf(answer) as AddAnswer[];
  if (records.length > 0) return records[0];
  return answer !== null && typeof answer === 'object' && !Array.isArray(answer) ? (answer as AddAnswer) : undefined;
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return ProviderUnavailableError.isInstance(error) && statuses.includes(error.statusCode ?? -1);
}

/**
 * The Mem0 platform as a FastAgentic memory provider, over Mem0's REST API with `fetch`. Runs on
 * Node and on Cloudflare Workers. Adds are processed by Mem0 in the background: `add` resolves
 * to Mem0's event id, and the memory is searchable a moment later (at once with `readYourWrites`).
 */
export class Mem0Provider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = PROVIDER;
  readonly capabilities: MemoryCapabilities;
  readonly userIdField: string;
  /** The HTTP client, for Mem0 features this interface does not cover: `client.request('GET', '/v1/memories/{id}/history/', { kind: 'read' })`. */
  readonly client: HttpJsonClient;
  private readonly orgId: string | undefined;
  private readonly projectId: string | undefined;
  private readonly readYourWrites: Required<ReadYourWritesOptions> | undefined;
  private readonly infer: boolean;
  private readonly encrypted: (() => Promise<MemoryProvider>) | undefined;
  private accountCheck: Promise<void> | undefined;
  /** True once the key's org and project are known to be the configured ones (or none is configured). */
  private accountChecked: boolean;

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
    this.accountChecked = this.orgId === undefined && this.projectId === undefined;
    this.userIdField = optionalString(options.userIdField, 'userIdField') ?? 'user.id';
    if (options.infer !== undefined && typeof options.infer !== 'boolean') {
      throw new MemoryConfigurationError('infer', 'must be a boolean');
    }
    const encryptionKey = options.encryptionKey;
    if (encryptionKey !== undefined && options.infer === true) {
      throw new MemoryConfigurationError('infer', "Mem0's extraction cannot read ciphertext: encryptionKey stores verbatim (infer: false)");
    }
    this.infer = encryptionKey === undefined && (options.infer ?? true);
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
    // mem0ai's MemoryClient wire: `Token` auth, and a JSON content type on every request.
    this.client = new HttpJsonClient({
      provider: PROVIDER,
      headers: { Authorization: `Token ${apiKey}`, 'Content-Type': 'application/json', 'X-Mem0-Client': MEM0_CLIENT_HEADER },
      baseUrl: parseBaseUrl(options),
      retry: parseRetryPolicy(options.retry),
      timeoutMs: positiveMs(options.timeoutMs, 'timeoutMs', 30_000),
    });
    const filterableFields = options.encryption?.filterableFields ?? ['categories'];
    this.capabilities = {
      semanticSearch: encryptionKey === undefined,
      filters: encryptionKey === undefined ? MEM0_PLATFORM_FILTERS : filterableFields.length === 0 ? [] : ENCRYPTED_FILTERS,
      ttl: false,
      consistency: 'eventual',
      addResult: 'event-id',
      storage: this.infer ? 'extracted' : 'verbatim',
    };
    this.encrypted = encryptionKey === undefined ? undefined : this.encryptionLoader({ ...options, encryptionKey: undefined, infer: false }, encryptionKey);
  }

  /** The user id in a request context, read at `userIdField` (the spec's `user_id_field`). */
  userIdFrom(context: unknown): string {
    return extractUserId(context, this.userIdField);
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    if (this.encrypted) return (await this.encrypted()).add(userId, messages, metadata, options);
    const id = escapeUserId(validateUserId(userId));
    const checked = validateMessages(messages);
    const meta = validateMetadata(metadata);
    const { signal } = parseAddOptions(options);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    const body: Record<string, unknown> = {
      messages: checked.map((message) => ({ role: message.role, content: message.content })),
      user_id: id,
      metadata: meta,
    };
    if (!this.infer) body.infer = false;
    const answer = await this.client.request('POST', '/v3/memories/add/', { kind: 'write', body: this.scoped(body), signal });
    const item = addItemOf(answer);
    const result = item?.event_id ?? item?.id;
    if (typeof result !== 'string') {
      throw new ProviderUnavailableError(PROVIDER, `unexpected add answer: ${JSON.stringify(answer).slice(0, 200)}`, { isRetryable: false });
    }
    if (this.readYourWrites !== undefined && item?.event_id !== undefined) await this.waitForEvent(item.event_id, signal);
    return result;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    if (this.encrypted) return (await this.encrypted()).search(userId, query, options);
    const id = escapeUserId(validateUserId(userId));
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    const filters = toMem0Filter(id, filter);
    // Mem0 may return memories the filter does not match (see toMem0Filter): ask for more until
    // `limit` of them match or Mem0 has no more.
    for (let topK = limit; ; topK = Math.min(MEMORY_LIMITS.maxLimit, topK * 4)) {
      const body: Record<string, unknown> = { query: text, output_format: 'v1.1', top_k: topK };
      // Without a floor Mem0 applies its own default threshold, which keeps unrelated memories out.
      if (minRelevance > 0) body.threshold = minRelevance;
      body.filters = filters;
      const records = recordsOf(await this.readOrEmpty('POST', '/v3/memories/search/', this.scoped(body), undefined, signal));
      const found: Memory[] = [];
      for (const record of records) {
        if (record.user_id !== undefined && record.user_id !== null && record.user_id !== id) continue;
        const memory = toCoreMemory(record, userId, true);
        if (memory.score! >= minRelevance && (filter === undefined || matchesFilter(memory, filter))) found.push(memory);
      }
      if (found.length >= limit || records.length < topK || topK === MEMORY_LIMITS.maxLimit) {
        return found.sort(compareRanked).slice(0, limit);
      }
    }
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    if (this.encrypted) return (await this.encrypted()).getAll(userId, options);
    const id = escapeUserId(validateUserId(userId));
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    const offset = decodePageCursor(cursor);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    // Mem0 does not promise newest-first order across its pages, so every page is read and sorted.
    const all: Memory[] = [];
    const body = this.scoped({ filters: toMem0Filter(id, filter) });
    for (let page = 1; ; page++) {
      const answer = await this.readOrEmpty<ListAnswer | Mem0Record[]>('POST', '/v3/memories/', body, { page, page_size: LIST_PAGE_SIZE }, signal);
      const records = recordsOf(answer);
      for (const record of records) {
        if (record.user_id !== undefined && record.user_id !== null && record.user_id !== id) continue;
        const memory = toCoreMemory(record, userId, false);
        if (filter === undefined || matchesFilter(memory, filter)) all.push(memory);
      }
      if (records.length < LIST_PAGE_SIZE || Array.isArray(answer) || !answer.next) break;
    }
    all.sort(compareRanked);
    const memories = all.slice(offset, offset + limit);
    return { memories, nextCursor: offset + limit < all.length ? encodePageCursor(offset + limit) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    if (this.encrypted) return (await this.encrypted()).get(userId, memoryId, options);
    const id = escapeUserId(validateUserId(userId));
    const checkedId = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    const record = await this.fetchOwned(id, checkedId, signal);
    return record === null ? null : toCoreMemory(record, userId, false);
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    if (this.encrypted) return (await this.encrypted()).delete(userId, memoryId, options);
    const id = escapeUserId(validateUserId(userId));
    const checkedId = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    // Mem0 deletes by id alone: ownership is checked first so one user never deletes another's memory.
    if ((await this.fetchOwned(id, checkedId, signal)) === null) throw new MemoryNotFoundError(checkedId);
    try {
      await this.client.request('DELETE', `/v1/memories/${encodeURIComponent(checkedId)}/`, { kind: 'idempotent-write', signal });
    } catch (error) {
      if (isStatus(error, 404)) throw new MemoryNotFoundError(checkedId, { cause: error });
      throw error;
    }
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    if (this.encrypted) return (await this.encrypted()).deleteAll(userId, options);
    const id = escapeUserId(validateUserId(userId));
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    if (this.accountChecked !== true) await this.checkAccount(signal);
    // Mem0's delete-all does not say how many it removed: one listing request reads the count first.
    const listing = await this.readOrEmpty<ListAnswer | Mem0Record[]>(
      'POST',
      '/v3/memories/',
      this.scoped({ filters: toMem0Filter(id, undefined) }),
      { page: 1, page_size: 1 },
      signal,
    );
    const count = Array.isArray(listing) ? listing.length : Number(listing.count ?? recordsOf(listing).length);
    await this.client.request('DELETE', '/v1/memories/', { kind: 'idempotent-write', query: this.scoped({ user_id: id }), signal });
    return count;
  }

  /** org_id / project_id after the other fields, where mem0ai puts them. */
  private scoped<T extends Record<string, unknown>>(fields: T): T {
    if (this.orgId === undefined && this.projectId === undefined) return fields;
    const out: Record<string, unknown> = { ...fields };
    if (this.orgId !== undefined) out.org_id = this.orgId;
    if (this.projectId !== undefined) out.project_id = this.projectId;
    return out as T;
  }

  /** A read whose 404 means "no such user at Mem0": an empty answer. */
  private async readOrEmpty<T = unknown>(
    method: string,
    path: string,
    body: unknown,
    query: Record<string, string | number> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    try {
      return await this.client.request<T>(method, path, { kind: 'read', body, ...(query ? { query } : {}), signal });
    } catch (error) {
      if (isStatus(error, 404)) return { results: [], count: 0, next: null } as T;
      throw error;
    }
  }

  private async fetchOwned(mem0UserId: string, memoryId: string, signal: AbortSignal | undefined): Promise<Mem0Record | null> {
    try {
      const record = await this.client.request<Mem0Record>('GET', `/v1/memories/${encodeURIComponent(memoryId)}/`, { kind: 'read', signal });
      return record.user_id === mem0UserId ? record : null;
    } catch (error) {
      // Mem0 answers 400 for an id that is not a UUID and 404 for one it does not hold.
      if (isStatus(error, 400, 404)) return null;
      throw error;
    }
  }

  /** Once per provider: the key's own org and project (from /v1/ping/) must be the configured ones. */
  private checkAccount(signal: AbortSignal | undefined): Promise<void> {
    this.accountCheck ??= (async () => {
      const ping = await this.client.request<PingAnswer>('GET', '/v1/ping/', { kind: 'read', signal });
      if (ping.status !== 'ok') throw new MemoryConfigurationError('apiKey', `Mem0 /v1/ping/ answered ${JSON.stringify(ping)}`);
      if (this.orgId !== undefined && ping.org_id !== undefined && ping.org_id !== this.orgId) {
        throw new MemoryConfigurationError('orgId', `the API key belongs to organization ${ping.org_id}, not ${this.orgId}`);
      }
      if (this.projectId !== undefined && ping.project_id !== undefined && ping.project_id !== this.projectId) {
        throw new MemoryConfigurationError('projectId', `the API key belongs to project ${ping.project_id}, not ${this.projectId}`);
      }
      this.accountChecked = true;
    })();
    const check = this.accountCheck;
    // A failed check (network, abort) is not remembered; a mismatch fails again on the next call anyway.
    check.catch(() => {
      if (this.accountCheck === check) this.accountCheck = undefined;
    });
    return check;
  }

  /** Polls Mem0's event for the add until it is processed; past the bounded wait, returns (the add was acknowledged). */
  private async waitForEvent(eventId: string, signal: AbortSignal | undefined): Promise<void> {
    const { timeoutMs, intervalMs } = this.readYourWrites!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.client.request<{ status?: string }>('GET', `/v1/event/${encodeURIComponent(eventId)}/`, { kind: 'read', signal });
      if (event.status === 'SUCCEEDED') return;
      if (event.status === 'FAILED') {
        throw new ProviderUnavailableError(PROVIDER, `Mem0 failed to process add event ${eventId}`, { isRetryable: false });
      }
      if (Date.now() + intervalMs > deadline) return;
      await delay(intervalMs, signal);
    }
  }

  /**
   * The encrypting provider over a verbatim Mem0Provider, made on the first call: the
   * @fastagentic/encryption import happens only for a provider given `encryptionKey`.
   */
  private encryptionLoader(options: Mem0ProviderOptions, key: string | Uint8Array): () => Promise<MemoryProvider> {
    // Validated now, so bad options fail at construction as the others do.
    const inner = new Mem0Provider(options);
    let loading: Promise<MemoryProvider> | undefined;
    return () => {
      if (loading === undefined) {
        const attempt = loadOptionalPeer('@fastagentic/encryption', 'encryptionKey', () => import('@fastagentic/encryption')).then(
          ({ withEncryption }) => withEncryption(inner, { key, ...options.encryption }),
        );
        loading = attempt;
        // A failed load is not remembered, so installing the package (or fixing the key) and retrying works.
        attempt.catch(() => {
          if (loading === attempt) loading = undefined;
        });
      }
      return loading;
    };
  }
}
