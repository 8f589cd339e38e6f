import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as it reached the server: what mem0ai actually sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface StoredMemory {
  id: string;
  memory: string;
  user_id: string;
  metadata: Record<string, unknown> | null;
  categories: string[];
  created_at: string;
  updated_at: string;
}

interface PendingEvent {
  id: string;
  status: 'PENDING' | 'SUCCEEDED';
  memoryIds: string[];
}

export interface Fault {
  status: number;
  /** Answer only after this long (to exercise timeouts). */
  delayMs?: number;
  /** A raw body instead of Mem0's JSON error (e.g. a proxy's HTML page). */
  rawBody?: string;
  retryAfter?: string;
  /** Close the connection without an answer, after reading the request. */
  hangUp?: boolean;
  /** Only requests whose path starts with this. Default: every request except /v1/ping/. */
  pathPrefix?: string;
}

export interface Mem0PlatformServerOptions {
  apiKey: string;
  orgId?: string;
  projectId?: string;
  /** How long an add stays PENDING before its memory is visible. Default 40 ms. */
  processingDelayMs?: number;
  /** Added before every answer, to stand in for the network between an app and Mem0. Default 0. */
  latencyMs?: number;
}

const ALLOWED_FILTER_KEYS = new Set([
  'AND', 'OR', 'NOT', 'user_id', 'agent_id', 'app_id', 'run_id', 'created_at', 'updated_at', 'timestamp',
  'categories', 'metadata', 'keywords', 'memory_ids',
]);

class BadRequest extends Error {}

function tokens(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** Cosine similarity of bags of words: the server's stand-in for Mem0's embedding search. */
function similarity(query: string, text: string): number {
  const a = tokens(query);
  const b = tokens(text);
  let dot = 0;
  for (const [token, count] of a) dot += count * (b.get(token) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((sum, c) => sum + c * c, 0));
  return dot === 0 ? 0 : dot / (norm(a) * norm(b));
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareValue(actual: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return deepEqual(actual, condition);
  return Object.entries(condition).every(([operator, expected]) => {
    switch (operator) {
      case 'eq':
        return deepEqual(actual, expected);
      case 'ne':
        return !deepEqual(actual, expected);
      case 'in':
        return Array.isArray(expected) && expected.some((item) => deepEqual(actual, item));
      case 'contains':
        if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
        return Array.isArray(actual) && actual.some((item) => deepEqual(item, expected));
      case 'icontains':
        return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().includes(expected.toLowerCase());
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (typeof actual !== typeof expected || (typeof actual !== 'string' && typeof actual !== 'number')) return false;
        const [x, y] = [actual as string | number, expected as string | number];
        return operator === 'gt' ? x > y : operator === 'gte' ? x >= y : operator === 'lt' ? x < y : x <= y;
      }
      default:
        throw new BadRequest(`unsupported operator ${operator}`);
    }
  });
}

/** Evaluates Mem0's documented filter grammar (v2 memory filters) against one memory. */
function matches(memory: StoredMemory, filter: unknown): boolean {
  if (!isOperatorObject(filter)) throw new BadRequest('a filter must be an object');
  return Object.entries(filter).every(([key, value]) => {
    if (!ALLOWED_FILTER_KEYS.has(key)) throw new BadRequest(`Invalid filter key: ${key}`);
    switch (key) {
      case 'AND':
      case 'OR':
      case 'NOT': {
        if (!Array.isArray(value)) throw new BadRequest(`${key} takes an array`);
        if (key === 'AND') return value.every((child) => matches(memory, child));
        if (key === 'OR') return value.some((child) => matches(memory, child));
        return !value.some((child) => matches(memory, child));
      }
      case 'user_id':
        return value === '*' ? memory.user_id !== null : compareValue(memory.user_id, value);
      case 'agent_id':
      case 'app_id':
      case 'run_id':
        return value === '*' ? false : compareValue(null, value);
      case 'categories':
        if (isOperatorObject(value) && 'in' in value) {
          return (value.in as unknown[]).some((category) => memory.categories.includes(category as string));
        }
        return compareValue(memory.categories, value);
      case 'metadata': {
        if (!isOperatorObject(value)) throw new BadRequest('metadata takes an object');
        const metadata = memory.metadata ?? {};
        return Object.entries(value).every(([field, condition]) => {
          if (isOperatorObject(condition) && Object.keys(condition).some((op) => !['eq', 'ne', 'contains'].includes(op))) {
            throw new BadRequest(`metadata supports eq, ne and contains only`);
          }
          return compareValue(Object.hasOwn(metadata, field) ? metadata[field] : undefined, condition);
        });
      }
      case 'created_at':
      case 'updated_at':
        return compareValue(memory[key], value);
      case 'memory_ids':
        return Array.isArray(value) && value.includes(memory.id);
      default:
        throw new BadRequest(`filter key ${key} is not implemented by this test server`);
    }
  });
}

/**
 * A local stand-in for the Mem0 platform REST API, speaking it the way mem0ai 3.3.1 sends it:
 * `Token` auth, /v1/ping/, v3 add (asynchronous: PENDING events that become visible later),
 * v3 search and list with filters, v1 get/update/delete, v1 delete-all and v1 events. Faults
 * (429 with Retry-After, 5xx bursts) are queued with `injectFaults`.
 */
export class Mem0PlatformServer {
  readonly requests: RecordedRequest[] = [];
  readonly memories = new Map<string, StoredMemory>();
  private readonly events = new Map<string, PendingEvent>();
  private readonly faults: Fault[] = [];
  private readonly server: Server;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private clock = 0;
  url = '';

  constructor(private readonly options: Mem0PlatformServerOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.send(response, error instanceof BadRequest ? 400 : 500, { error: String(error) });
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next matching requests fail with these statuses, in order. */
  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Drops faults no request consumed (a request aborted before it arrived leaves its fault). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (response.headersSent) return;
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    const method = request.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body });
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));

    if (request.headers.authorization !== `Token ${this.options.apiKey}`) {
      return this.send(response, 401, { detail: 'Invalid API key' });
    }
    const faultIndex = this.faults.findIndex((fault) =>
      fault.pathPrefix === undefined ? url.pathname !== '/v1/ping/' : url.pathname.startsWith(fault.pathPrefix),
    );
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      if (fault!.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault!.delayMs));
      if (fault!.hangUp) return void request.socket.destroy();
      if (fault!.rawBody !== undefined) {
        response.writeHead(fault!.status, { 'content-type': 'text/html' });
        return void response.end(fault!.rawBody);
      }
      return this.send(response, fault!.status, { detail: 'injected fault' }, fault!.retryAfter ? { 'retry-after': fault!.retryAfter } : {});
    }
    const path = url.pathname;
    const memoryMatch = /^\/v1\/memories\/([^/]+)\/$/.exec(path);
    const eventMatch = /^\/v1\/event\/([^/]+)\/$/.exec(path);

    if (method === 'GET' && path === '/v1/ping/') {
      return this.send(response, 200, {
        status: 'ok',
        org_id: this.options.orgId ?? 'org-local',
        project_id: this.options.projectId ?? 'project-local',
        user_email: 'tester@example.invalid',
      });
    }
    if (method === 'POST' && path === '/v3/memories/add/') return this.add(response, body as Record<string, unknown>);
    if (method === 'POST' && path === '/v3/memories/search/') return this.search(response, body as Record<string, unknown>);
    if (method === 'POST' && path === '/v3/memories/') return this.list(response, url, body as Record<string, unknown>);
    if (method === 'DELETE' && path === '/v1/memories/') return this.deleteAll(response, url);
    if (eventMatch && method === 'GET') {
      const event = this.events.get(decodeURIComponent(eventMatch[1]!));
      if (!event) return this.send(response, 404, { detail: 'Not found.' });
      return this.send(response, 200, {
        id: event.id,
        event_type: 'ADD',
        status: event.status,
        results: event.status === 'SUCCEEDED' ? event.memoryIds.map((id) => ({ id, event: 'ADD', data: { memory: this.memories.get(id)?.memory } })) : [],
      });
    }
    if (memoryMatch) {
      const id = decodeURIComponent(memoryMatch[1]!);
      const memory = this.memories.get(id);
      if (!/^[0-9a-f-]{36}$/.test(id)) return this.send(response, 400, { detail: 'Invalid memory ID' });
      if (!memory) return this.send(response, 404, { detail: 'Memory not found' });
      if (method === 'GET') return this.send(response, 200, memory);
      if (method === 'DELETE') {
        this.memories.delete(id);
        return this.send(response, 200, { message: 'Memory deleted successfully!' });
      }
      if (method === 'PUT') {
        const update = body as { text?: string; metadata?: Record<string, unknown> };
        if (update.text !== undefined) memory.memory = update.text;
        if (update.metadata !== undefined) memory.metadata = update.metadata;
        memory.updated_at = this.now();
        return this.send(response, 200, memory);
      }
    }
    return this.send(response, 404, { detail: `No route for ${method} ${path}` });
  }

  /** Strictly increasing timestamps so newest-first order is well defined. */
  private now(): string {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString();
  }

  private add(response: ServerResponse, body: Record<string, unknown>): void {
    const messages = body.messages as Array<{ role: string; content: string }>;
    if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest('messages required');
    if (typeof body.user_id !== 'string') throw new BadRequest('user_id required');
    // Stand-in for extraction: the user's words become the memory. With infer: false each
    // message is stored as given.
    const spoken = messages.filter((message) => message.role === 'user').map((message) => message.content);
    const texts =
      body.infer === false
        ? messages.filter((message) => message.role !== 'system').map((message) => message.content)
        : [(spoken.length > 0 ? spoken : messages.map((message) => message.content)).join(' ')];
    const event: PendingEvent = { id: randomUUID(), status: 'PENDING', memoryIds: [] };
    this.events.set(event.id, event);
    const userId = body.user_id;
    const metadata = (body.metadata as Record<string, unknown> | undefined) ?? null;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const text of texts) {
        const stamp = this.now();
        const memory: StoredMemory = { id: randomUUID(), memory: text, user_id: userId, metadata, categories: [], created_at: stamp, updated_at: stamp };
        this.memories.set(memory.id, memory);
        event.memoryIds.push(memory.id);
      }
      event.status = 'SUCCEEDED';
    }, this.options.processingDelayMs ?? 40);
    this.timers.add(timer);
    this.send(response, 200, { message: 'Memory processing has been queued for background execution', status: 'PENDING', event_id: event.id });
  }

  private filtered(filters: unknown, body: Record<string, unknown> = {}): StoredMemory[] {
    // Entity ids belong inside `filters` on the v3 endpoints.
    for (const key of ['user_id', 'agent_id', 'app_id', 'run_id']) {
      if (key in body) throw new BadRequest(`${key} must be given inside filters`);
    }
    if (filters === undefined) throw new BadRequest('filters are required');
    const scoped = JSON.stringify(filters).includes('"user_id"');
    if (!scoped) throw new BadRequest('filters must contain at least one of: user_id, agent_id, app_id, run_id');
    return [...this.memories.values()].filter((memory) => matches(memory, filters));
  }

  private search(response: ServerResponse, body: Record<string, unknown>): void {
    if (typeof body.query !== 'string') throw new BadRequest('query required');
    const threshold = typeof body.threshold === 'number' ? body.threshold : 0.1;
    const topK = typeof body.top_k === 'number' ? body.top_k : 10;
    const results = this.filtered(body.filters, body)
      .map((memory) => ({ ...memory, score: similarity(body.query as string, memory.memory) }))
      .filter((memory) => memory.score > 0 && memory.score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
    this.send(response, 200, { results });
  }

  private list(response: ServerResponse, url: URL, body: Record<string, unknown>): void {
    const page = Number(url.searchParams.get('page') ?? '1');
    const pageSize = Number(url.searchParams.get('page_size') ?? '100');
    const all = this.filtered(body.filters, body).sort((a, b) => b.created_at.localeCompare(a.created_at));
    const results = all.slice((page - 1) * pageSize, page * pageSize);
    const next = page * pageSize < all.length ? `${this.url}/v3/memories/?page=${page + 1}&page_size=${pageSize}` : null;
    const previous = page > 1 ? `${this.url}/v3/memories/?page=${page - 1}&page_size=${pageSize}` : null;
    this.send(response, 200, { count: all.length, next, previous, results });
  }

  private deleteAll(response: ServerResponse, url: URL): void {
    const userId = url.searchParams.get('user_id');
    if (userId === null) throw new BadRequest('At least one filter is required to delete all memories');
    for (const [id, memory] of this.memories) if (memory.user_id === userId) this.memories.delete(id);
    this.send(response, 200, { message: 'Memories deleted successfully!' });
  }
}
