import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  MemoryValidationError,
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
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  categoriesFromMetadata,
  delay,
  HttpJsonClient,
  matchesFilter,
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
  type HttpRequestOptions,
  type RetryOptions,
} from '@fastagentic/memory/provider';
import { isAlreadyExists, isNotFound } from './zep-errors.js';
import { MessageMetadataCache } from './message-metadata-cache.js';
import { zepThreadIdFor, zepUserIdFor } from './zep-ids.js';

const PROVIDER_NAME = 'zep';
/** Zep Cloud's v2 API, the base @getzep/zep-cloud uses when none is given. */
const ZEP_CLOUD_BASE_URL = 'https://api.getzep.com/api/v2';

export interface ZepReadYourWritesOptions {
  /** Longest wait for Zep's ingestion task after an add. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between task polls. Default 100 ms. */
  intervalMs?: number;
}

export interface ZepProviderOptions {
  /** Zep project API key. Default: the `ZEP_API_KEY` environment variable. */
  apiKey?: string;
  /** Zep's API address, including `/api/v2`. Default: Zep Cloud, `https://api.getzep.com/api/v2`. */
  baseUrl?: string;
  /** Puts the user's Zep thread summary first in `getAll`'s first page as a `summary` memory. */
  autoSummarize?: boolean;
  /** `add` waits (bounded) for Zep's ingestion task, so its facts are readable when it resolves. */
  readYourWrites?: boolean | ZepReadYourWritesOptions;
  /** Retries through the core's `withRetry`. Default: the core's `DEFAULT_RETRY_POLICY`. */
  retry?: RetryOptions;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Prefix of every Zep user id (up to 16 letters, digits, hyphens), to keep apps apart in one Zep project. */
  namespace?: string;
  /**
   * Also return facts Zep has invalidated (a later message contradicted them: `invalid_at` in
   * the past, or `expired_at` set). Default false: they are hidden from search, getAll and get.
   */
  includeInvalidated?: boolean;
}

/** Message metadata key holding the FastAgentic metadata as JSON (Zep metadata is flat and capped at 10 keys). */
export const ZEP_METADATA_KEY = 'fastagentic_metadata';
/** Id of the summary memory that `autoSummarize` adds. */
export const ZEP_SUMMARY_MEMORY_ID = 'zep-thread-summary';

const SEARCH_LIMIT_CAP = 50;
const EPISODE_FILTER_CAP = 256;
const EDGE_PAGE_SIZE = 100;
const MESSAGE_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TASK_DONE = new Set(['completed', 'succeeded', 'success', 'done']);
const TASK_FAILED = new Set(['failed', 'error', 'cancelled', 'canceled']);
const CURSOR_PREFIX = 'z1.';

interface ZepIds {
  user: string;
  thread: string;
}

interface ReadYourWrites {
  timeoutMs: number;
  intervalMs: number;
}

/** A fact (graph edge) as Zep's API returns it. */
interface ZepEdge {
  uuid: string;
  fact: string;
  created_at?: string;
  episodes?: string[];
  invalid_at?: string | null;
  expired_at?: string | null;
  /** Search only: the reranker's relevance, else the search score. */
  relevance?: number;
  score?: number;
}

interface ZepMessageList {
  messages?: Array<{ uuid?: string; metadata?: Record<string, unknown> }>;
  total_count?: number;
}

interface ZepAddResult {
  message_uuids?: string[];
  task_id?: string;
}

interface ZepTask {
  status?: string;
  error?: { message?: string };
}

interface ZepSummary {
  summary?: string;
  created_at?: string;
  last_summarized_at?: string;
}

function readEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

function positiveNumber(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new MemoryConfigurationError(option, 'must be a positive number');
  return value;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;

function isoTime(value: string | undefined): string {
  if (value !== undefined && ISO_TIME.test(value)) return value;
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(parsed) ? new Date(0).toISOString() : new Date(parsed).toISOString();
}

function clampScore(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/** The FastAgentic metadata of a Zep message, as JSON text: `{}` when it carries none. */
function metadataJsonOf(raw: Record<string, unknown> | undefined): string {
  const encoded = raw?.[ZEP_METADATA_KEY];
  if (typeof encoded !== 'string') return '{}';
  try {
    const parsed: unknown = JSON.parse(encoded);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? encoded : '{}';
  } catch {
    return '{}';
  }
}

/** The shape `matchesFilter` reads: metadata and the categories derived from it. */
function filterView(metadata: Metadata): Memory {
  const view: Memory = { id: '', userId: '', memory: '', metadata, createdAt: '', updatedAt: '' };
  const categories = categoriesFromMetadata(metadata);
  if (categories) view.categories = categories;
  return view;
}

interface Position {
  time: number;
  id: string;
}

function positionOf(memory: Memory): Position {
  return { time: Date.parse(memory.createdAt), id: memory.id };
}

/** Newest first; the uuid breaks ties so the order (and the cursor) is total. */
function newestFirst(a: Position, b: Position): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Position after `memory`, or, for null, the first fact (when the summary filled a whole page). */
function encodeCursor(memory: Memory | null): string {
  return CURSOR_PREFIX + btoa(JSON.stringify(memory === null ? [] : [memory.createdAt, memory.id]));
}

function decodeCursor(cursor: string): Position | null {
  try {
    if (!cursor.startsWith(CURSOR_PREFIX)) throw new Error('prefix');
    const position = JSON.parse(atob(cursor.slice(CURSOR_PREFIX.length))) as unknown[];
    if (Array.isArray(position) && position.length === 0) return null;
    const [createdAt, id] = position;
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt))) {
      throw new Error('shape');
    }
    return { time: Date.parse(createdAt), id };
  } catch (error) {
    throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider', { cause: error });
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Ids go into paths encoded, as the SDK sends them. */
const segment = encodeURIComponent;

/**
 * Zep behind the MemoryProvider contract. `add` appends the messages to the user's one Zep
 * thread; Zep extracts facts (graph edges) in the background, and those facts are the memories
 * that search, getAll, get and delete see. See the package README for the full mapping.
 */
export class ZepProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = PROVIDER_NAME;
  readonly capabilities: MemoryCapabilities = {
    semanticSearch: true,
    filters: ALL_FILTER_CAPABILITIES,
    ttl: false,
    consistency: 'eventual',
    addResult: 'event-id',
    storage: 'extracted',
  };

  private readonly http: HttpJsonClient;
  private readonly autoSummarize: boolean;
  private readonly readYourWrites: ReadYourWrites | undefined;
  private readonly namespace: string;
  private readonly includeInvalidated: boolean;
  private readonly metadataCache = new MessageMetadataCache();
  /** Users whose Zep user and thread this instance is creating, so concurrent adds create them once. */
  private readonly creating = new Map<string, Promise<void>>();

  constructor(options: ZepProviderOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('ZEP_API_KEY');
    if (typeof apiKey !== 'string' || apiKey.trim() === '') {
      throw new MemoryConfigurationError('apiKey', 'pass apiKey or set the ZEP_API_KEY environment variable');
    }
    if (options.baseUrl !== undefined && !URL.canParse(options.baseUrl)) {
      throw new MemoryConfigurationError('baseUrl', 'must be an absolute URL such as https://api.getzep.com/api/v2');
    }
    const namespace = options.namespace ?? '';
    if (!/^[A-Za-z0-9-]{0,16}$/.test(namespace)) {
      throw new MemoryConfigurationError('namespace', 'up to 16 letters, digits or hyphens');
    }
    this.namespace = namespace;
    if (options.readYourWrites) {
      const settings = options.readYourWrites === true ? {} : options.readYourWrites;
      this.readYourWrites = {
        timeoutMs: positiveNumber(settings.timeoutMs, 'readYourWrites.timeoutMs', 10_000),
        intervalMs: positiveNumber(settings.intervalMs, 'readYourWrites.intervalMs', 100),
      };
    }
    this.autoSummarize = options.autoSummarize === true;
    this.includeInvalidated = options.includeInvalidated === true;
    // @getzep/zep-cloud's wire: `Api-Key` auth.
    this.http = new HttpJsonClient({
      provider: PROVIDER_NAME,
      headers: { Authorization: `Api-Key ${apiKey}` },
      baseUrl: options.baseUrl ?? ZEP_CLOUD_BASE_URL,
      timeoutMs: positiveNumber(options.timeoutMs, 'timeoutMs', 30_000),
      retry: parseRetryPolicy(options.retry, 'retry'),
    });
  }

  /**
   * Resolves to Zep's ingestion task id (or, when Zep returns none, the last message uuid):
   * the facts Zep extracts get their own ids later.
   */
  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    const valid = validateMessages(messages);
    const validMetadata = validateMetadata(metadata);
    // Zep has no idempotency key: an add is never retried once Zep may have stored it.
    const { signal } = parseAddOptions(options);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    const metadataJson = JSON.stringify(validMetadata);
    const encoded = metadataJson === '{}' ? undefined : { [ZEP_METADATA_KEY]: metadataJson };
    const body = {
      messages: valid.map((message) => ({
        role: message.role,
        content: message.content,
        ...(message.name === undefined ? {} : { name: message.name }),
        ...(encoded === undefined ? {} : { metadata: encoded }),
      })),
    };
    const send = () =>
      this.find<ZepAddResult>('POST', `/threads/${segment(ids.thread)}/messages`, { kind: 'write', body, signal });
    // The thread is created on first use: one call per add once it exists.
    let response = await send();
    if (response === null) {
      await this.createUserAndThread(ids, signal);
      response = await send();
      if (response === null) {
        throw new ProviderUnavailableError(PROVIDER_NAME, 'add: the thread was not found after creating it', {
          isRetryable: true,
          statusCode: 404,
        });
      }
    }
    for (const uuid of response.message_uuids ?? []) this.metadataCache.set(ids.user, uuid, metadataJson);
    const eventId = response.task_id ?? response.message_uuids?.at(-1);
    if (eventId === undefined) {
      throw new ProviderUnavailableError(PROVIDER_NAME, 'add: Zep returned neither a task id nor message uuids', {
        isRetryable: false,
      });
    }
    if (this.readYourWrites && response.task_id !== undefined) await this.waitForTask(response.task_id, signal);
    return eventId;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    // A filter becomes Zep's episode_uuids restriction: the messages whose metadata matches.
    let episodeSets: Array<string[] | undefined> = [undefined];
    if (filter) {
      const matching = [...(await this.listMessageMetadata(ids, signal))]
        .filter(([, metadataJson]) => matchesFilter(filterView(JSON.parse(metadataJson) as Metadata), filter))
        .map(([uuid]) => uuid);
      if (matching.length === 0) return [];
      episodeSets = chunks(matching, EPISODE_FILTER_CAP);
    }
    const answers = await Promise.all(
      episodeSets.map((episodeUuids) =>
        this.find<{ edges?: ZepEdge[] }>('POST', '/graph/search', {
          kind: 'read',
          signal,
          body: {
            user_id: ids.user,
            query: text,
            scope: 'edges',
            limit: Math.min(limit, SEARCH_LIMIT_CAP),
            reranker: 'cross_encoder',
            ...(episodeUuids === undefined ? {} : { search_filters: { episode_uuids: episodeUuids } }),
          },
        }),
      ),
    );
    const edges = new Map<string, ZepEdge>();
    for (const answer of answers) {
      for (const edge of answer?.edges ?? []) if (this.isVisible(edge)) edges.set(edge.uuid, edge);
    }
    const memories = await this.toMemories(user, ids, [...edges.values()], signal, true);
    return memories
      .filter((memory) => {
        const score = memory.score!;
        return score >= minRelevance && !(minRelevance > 0 && score === 0) && matchesFilter(memory, filter);
      })
      .sort((a, b) => b.score! - a.score!)
      .slice(0, limit);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    const withSummary = this.autoSummarize && cursor === undefined;
    const [edges, summary] = await Promise.all([
      this.listEdges(ids, signal),
      withSummary ? this.summaryOf(user, ids, signal) : Promise.resolve(null),
    ]);
    const visible = edges.filter((edge) => this.isVisible(edge));
    const facts: Array<{ memory: Memory; position: Position }> = [];
    for (const memory of await this.toMemories(user, ids, visible, signal, false)) {
      if (filter === undefined || matchesFilter(memory, filter)) facts.push({ memory, position: positionOf(memory) });
    }
    facts.sort((a, b) => newestFirst(a.position, b.position));
    const start = after == null ? 0 : facts.findIndex((fact) => newestFirst(after, fact.position) < 0);
    const remaining = start < 0 ? [] : facts.slice(start).map((fact) => fact.memory);
    const lead = summary !== null && matchesFilter(summary, filter) ? [summary] : [];
    const page = remaining.slice(0, limit - lead.length);
    const more = remaining.length > page.length;
    return { memories: [...lead, ...page], nextCursor: more ? encodeCursor(page.at(-1) ?? null) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    if (id === ZEP_SUMMARY_MEMORY_ID && this.autoSummarize) return this.summaryOf(user, ids, signal);
    const edge = await this.ownedEdge(ids, id, signal);
    if (edge === undefined || !this.isVisible(edge)) return null;
    return (await this.toMemories(user, ids, [edge], signal, false))[0] ?? null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    if (id === ZEP_SUMMARY_MEMORY_ID && this.autoSummarize) {
      throw new MemoryValidationError('memoryId', 'the Zep summary is derived from the thread; deleteAll removes it');
    }
    const ids = await this.idsFor(user);
    // Zep deletes any edge by uuid: check that it is this user's first.
    if ((await this.ownedEdge(ids, id, signal)) === undefined) throw new MemoryNotFoundError(id);
    const deleted = await this.find('DELETE', `/graph/edge/${segment(id)}`, { kind: 'idempotent-write', signal });
    if (deleted === null) throw new MemoryNotFoundError(id);
  }

  /** Deletes the Zep user, and with it the thread and the whole graph. Resolves to the facts it held. */
  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    const edges = await this.listEdges(ids, signal);
    await this.find('DELETE', `/users/${segment(ids.user)}`, { kind: 'idempotent-write', signal });
    this.metadataCache.forget(ids.user);
    return edges.length;
  }

  /**
   * Zep's running summary of the user's thread as a memory of category `summary`, or null when
   * Zep has none yet. `autoSummarize` puts it first in getAll; this reads it on demand.
   */
  async getSummary(userId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    return this.summaryOf(user, await this.idsFor(user), signal);
  }

  /**
   * Zep's own context block for the user's thread (`GET /threads/{id}/context`): facts and
   * entities Zep picked for the latest messages, ready for a prompt. Empty when Zep has none.
   */
  async getContextBlock(userId: string, options?: CallOptions): Promise<string> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const ids = await this.idsFor(user);
    const answer = await this.find<{ context?: string }>('GET', `/threads/${segment(ids.thread)}/context`, {
      kind: 'read',
      signal,
    });
    return answer?.context ?? '';
  }

  /** Like `http.request`, resolving to null when Zep says the user, thread or item does not exist. */
  private async find<T>(method: string, path: string, options: HttpRequestOptions): Promise<T | null> {
    try {
      return await this.http.request<T>(method, path, options);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private isVisible(edge: ZepEdge): boolean {
    if (this.includeInvalidated) return true;
    if (edge.expired_at !== undefined && edge.expired_at !== null) return false;
    const invalidAt = edge.invalid_at === undefined || edge.invalid_at === null ? Number.NaN : Date.parse(edge.invalid_at);
    return Number.isNaN(invalidAt) || invalidAt > Date.now();
  }

  private async idsFor(userId: string): Promise<ZepIds> {
    const user = await zepUserIdFor(userId, this.namespace);
    return { user, thread: zepThreadIdFor(user) };
  }

  private createUserAndThread(ids: ZepIds, signal: AbortSignal | undefined): Promise<void> {
    let pending = this.creating.get(ids.user);
    if (pending === undefined) {
      pending = (async () => {
        const ignoreExisting = async (path: string, body: unknown) => {
          try {
            await this.http.request('POST', path, { kind: 'idempotent-write', body, signal });
          } catch (error) {
            if (!isAlreadyExists(error)) throw error;
          }
        };
        await ignoreExisting('/users', { user_id: ids.user });
        await ignoreExisting('/threads', { thread_id: ids.thread, user_id: ids.user });
      })().finally(() => this.creating.delete(ids.user));
      this.creating.set(ids.user, pending);
    }
    return pending;
  }

  /**
   * Polls Zep's ingestion task until it is done, at most `timeoutMs`. Past the bound, or when Zep
   * cannot tell the status, the add still resolves: Zep acknowledged the messages, and a caller
   * who retried would store them twice. Only a task Zep reports as failed is thrown.
   */
  private async waitForTask(taskId: string, signal: AbortSignal | undefined): Promise<void> {
    const { timeoutMs, intervalMs } = this.readYourWrites!;
    const bound = AbortSignal.timeout(timeoutMs);
    const waiting = signal === undefined ? bound : AbortSignal.any([signal, bound]);
    for (;;) {
      let task: ZepTask | null;
      try {
        task = await this.find<ZepTask>('GET', `/tasks/${segment(taskId)}`, { kind: 'read', signal: waiting });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (MemoryConfigurationError.isInstance(error)) throw error;
        // The bound ran out, or Zep could not say: the acknowledged add resolves.
        return;
      }
      const status = task?.status?.toLowerCase();
      if (status !== undefined && TASK_DONE.has(status)) return;
      if (status !== undefined && TASK_FAILED.has(status)) {
        const reason = task?.error?.message ?? status;
        throw new ProviderUnavailableError(PROVIDER_NAME, `add: Zep stored the messages but its ingestion failed: ${reason}`, {
          isRetryable: false,
        });
      }
      try {
        await delay(intervalMs, waiting);
      } catch {
        if (signal?.aborted) throw signal.reason;
        return;
      }
    }
  }

  /** Every fact of the user, following Zep's `Zep-Next-Cursor`. A user Zep does not know has none. */
  private async listEdges(ids: ZepIds, signal: AbortSignal | undefined): Promise<ZepEdge[]> {
    const edges: ZepEdge[] = [];
    let cursor: string | undefined;
    do {
      let page;
      try {
        page = await this.http.send<ZepEdge[]>('POST', `/graph/edge/user/${segment(ids.user)}`, {
          kind: 'read',
          signal,
          body: { limit: EDGE_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
        });
      } catch (error) {
        if (isNotFound(error)) return edges;
        throw error;
      }
      edges.push(...page.body);
      cursor = page.body.length === 0 ? undefined : (page.headers.get('zep-next-cursor') ?? undefined);
    } while (cursor !== undefined);
    return edges;
  }

  /** The user's edge with this uuid, or undefined: Zep is asked for it within the user's graph. */
  private async ownedEdge(ids: ZepIds, id: string, signal: AbortSignal | undefined): Promise<ZepEdge | undefined> {
    if (!UUID.test(id)) return undefined;
    const edges = await this.find<ZepEdge[]>('POST', `/graph/edge/user/${segment(ids.user)}`, {
      kind: 'read',
      signal,
      body: { limit: 1, filters: { edge_uuids: [id] } },
    });
    return edges?.find((edge) => edge.uuid === id);
  }

  /** Metadata (JSON text) of every message of the user's thread, by uuid; fills the cache. */
  private async listMessageMetadata(ids: ZepIds, signal: AbortSignal | undefined): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let page = 1; ; page++) {
      const answer = await this.find<ZepMessageList>('GET', `/threads/${segment(ids.thread)}/messages`, {
        kind: 'read',
        signal,
        query: { limit: MESSAGE_PAGE_SIZE, cursor: page },
      });
      const messages = answer?.messages ?? [];
      for (const message of messages) {
        if (message.uuid === undefined) continue;
        const metadataJson = metadataJsonOf(message.metadata);
        found.set(message.uuid, metadataJson);
        this.metadataCache.set(ids.user, message.uuid, metadataJson);
      }
      const total = answer?.total_count ?? 0;
      if (messages.length === 0 || (page - 1) * MESSAGE_PAGE_SIZE + messages.length >= total) return found;
    }
  }

  /** Facts as memories. A fact takes the metadata of the first of its episodes (messages) the adapter knows. */
  private async toMemories(
    userId: string,
    ids: ZepIds,
    edges: readonly ZepEdge[],
    signal: AbortSignal | undefined,
    scored: boolean,
  ): Promise<Memory[]> {
    const metadataOf = (edge: ZepEdge): string | undefined => {
      for (const episode of edge.episodes ?? []) {
        const metadata = this.metadataCache.get(ids.user, episode);
        if (metadata !== undefined) return metadata;
      }
      return undefined;
    };
    let known = edges.map(metadataOf);
    // Facts from messages another process wrote: read the thread's message metadata once.
    if (known.some((json, index) => json === undefined && (edges[index]!.episodes?.length ?? 0) > 0)) {
      await this.listMessageMetadata(ids, signal);
      known = edges.map(metadataOf);
    }
    return edges.map((edge, index) => {
      const json = known[index];
      const metadata: Metadata = json === undefined || json === '{}' ? {} : (JSON.parse(json) as Metadata);
      const createdAt = isoTime(edge.created_at);
      const memory: Memory = { id: edge.uuid, userId, memory: edge.fact, metadata, createdAt, updatedAt: createdAt };
      const categories = json === undefined || json === '{}' ? undefined : categoriesFromMetadata(metadata);
      if (categories) memory.categories = categories;
      if (scored) memory.score = clampScore(edge.relevance ?? edge.score);
      return memory;
    });
  }

  private async summaryOf(userId: string, ids: ZepIds, signal: AbortSignal | undefined): Promise<Memory | null> {
    const summary = await this.find<ZepSummary>('GET', `/threads/${segment(ids.thread)}/summary`, { kind: 'read', signal });
    const text = summary?.summary?.trim();
    if (summary === null || text === undefined || text === '') return null;
    // Dated by its latest update, so a `recent` time window keeps a summary that is current.
    const updatedAt = isoTime(summary.last_summarized_at ?? summary.created_at);
    return {
      id: ZEP_SUMMARY_MEMORY_ID,
      userId,
      memory: text,
      metadata: { category: 'summary', source: 'zep' },
      categories: ['summary'],
      createdAt: updatedAt,
      updatedAt,
    };
  }
}
