import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { terms as termsOf } from '@fastagentic/memory/provider';

/**
 * A local stand-in for Zep Cloud's v2 REST API, speaking the wire format @getzep/zep-cloud 3.30
 * sends (captured from the SDK): snake_case bodies, `Authorization: Api-Key <key>`, 404s with
 * `{ message }`. Ingestion is asynchronous like Zep's: messages become facts after
 * `ingestDelayMs`, one fact per user message (its content), scored lexically in search.
 */
export interface ZepTestServerOptions {
  apiKey?: string;
  /** Delay before added messages become facts. Default 40 ms. */
  ingestDelayMs?: number;
  /**
   * How an unknown user or thread is answered: 404, or 400 with a "not found" message (Zep
   * answers either way depending on the endpoint). Default 404.
   */
  notFoundStatus?: 404 | 400;
}

export interface CapturedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  authorization: string | undefined;
  /** Every request header, names in lower case. */
  headers: Record<string, string>;
  body: unknown;
}

export interface ZepTestServer {
  /** The API base to pass as `baseUrl`, ending in `/api/v2`. */
  baseUrl: string;
  apiKey: string;
  requests: CapturedRequest[];
  /** The next requests fail with these statuses, one each (429 carries `Retry-After: 0`). */
  failNext(...statuses: number[]): void;
  /** Like failNext, for requests whose path starts with `pathPrefix` (after `/api/v2`) only. */
  failNextTo(pathPrefix: string, ...statuses: number[]): void;
  /** The next request is read, applied, and then its connection is closed with no answer. */
  dropNextAnswer(): void;
  /** The next request is applied at once and answered after `ms`. */
  delayNextAnswer(ms: number): void;
  /** While on, ingestion tasks fail (status `failed`) and extract nothing. */
  failIngestion(on: boolean): void;
  /** Marks a fact as Zep does when a later message contradicts it (`invalid_at`, `expired_at`). */
  invalidate(edgeUuid: string): void;
  close(): Promise<void>;
}

interface StoredMessage {
  uuid: string;
  role: string;
  content: string;
  name?: string;
  metadata?: Record<string, unknown>;
  created_at: string;
  processed: boolean;
}

interface StoredEdge {
  uuid: string;
  fact: string;
  name: string;
  source_node_uuid: string;
  target_node_uuid: string;
  created_at: string;
  valid_at: string;
  invalid_at?: string;
  expired_at?: string;
  episodes: string[];
}

interface StoredUser {
  uuid: string;
  user_id: string;
  created_at: string;
  edges: Map<string, StoredEdge>;
  threads: Set<string>;
}

interface StoredThread {
  uuid: string;
  thread_id: string;
  user_id: string;
  created_at: string;
  messages: StoredMessage[];
}

interface StoredTask {
  task_id: string;
  status: 'pending' | 'completed' | 'failed';
  created_at: string;
  completed_at?: string;
  error?: { code: string; message: string };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_METADATA_KEYS = 10;

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

export async function startZepTestServer(options: ZepTestServerOptions = {}): Promise<ZepTestServer> {
  const apiKey = options.apiKey ?? 'zep-test-key';
  const ingestDelayMs = options.ingestDelayMs ?? 40;
  const notFoundStatus = options.notFoundStatus ?? 404;
  const users = new Map<string, StoredUser>();
  const threads = new Map<string, StoredThread>();
  const tasks = new Map<string, StoredTask>();
  const requests: CapturedRequest[] = [];
  const failures: number[] = [];
  const pathFailures: Array<{ pathPrefix: string; status: number }> = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let clock = 0;
  let ingestionFails = false;
  let dropAnswer = false;
  let answerDelayMs = 0;

  // Strictly increasing timestamps, so "newest first" is well defined even within a millisecond.
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return new Date(clock).toISOString();
  };

  const userOf = (userId: string) => {
    const user = users.get(userId);
    if (!user) throw new HttpError(notFoundStatus, `user not found: ${userId}`);
    return user;
  };
  const threadOf = (threadId: string) => {
    const thread = threads.get(threadId);
    if (!thread) throw new HttpError(notFoundStatus, `thread not found: ${threadId}`);
    return thread;
  };
  const edgeOf = (uuid: string) => {
    for (const user of users.values()) {
      const edge = user.edges.get(uuid);
      if (edge) return { user, edge };
    }
    throw new HttpError(404, `edge not found: ${uuid}`);
  };

  function validateMessageMetadata(metadata: unknown): void {
    if (metadata === undefined) return;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new HttpError(400, 'metadata must be an object');
    }
    const entries = Object.entries(metadata);
    if (entries.length > MAX_METADATA_KEYS) throw new HttpError(400, `metadata has more than ${MAX_METADATA_KEYS} keys`);
    for (const [key, value] of entries) {
      if (!(isScalar(value) || (Array.isArray(value) && value.every(isScalar)))) {
        throw new HttpError(400, `metadata.${key} must be a scalar or an array of scalars`);
      }
    }
  }

  function ingest(thread: StoredThread, added: StoredMessage[], task: StoredTask): void {
    const fails = ingestionFails;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task.completed_at = now();
      if (fails) {
        task.status = 'failed';
        task.error = { code: 'extraction_failed', message: 'fact extraction failed' };
        return;
      }
      task.status = 'completed';
      const user = users.get(thread.user_id);
      if (!user || !threads.has(thread.thread_id)) return;
      for (const message of added) {
        message.processed = true;
        if (message.role !== 'user') continue;
        const createdAt = now();
        const edge: StoredEdge = {
          uuid: crypto.randomUUID(),
          fact: message.content,
          name: 'STATES',
          source_node_uuid: user.uuid,
          target_node_uuid: crypto.randomUUID(),
          created_at: createdAt,
          valid_at: createdAt,
          episodes: [message.uuid],
        };
        user.edges.set(edge.uuid, edge);
      }
    }, ingestDelayMs);
    timers.add(timer);
  }

  function deleteUser(user: StoredUser): void {
    for (const threadId of user.threads) threads.delete(threadId);
    users.delete(user.user_id);
  }

  interface Reply {
    status?: number;
    json: unknown;
    headers?: Record<string, string>;
  }

  // `body` is whatever JSON the client sent: routes check the fields they read.
  async function route(method: string, path: string, query: URLSearchParams, body: any): Promise<Reply> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [resource, a, b, c] = parts;

    if (resource === 'users' && parts.length === 1 && method === 'POST') {
      if (typeof body?.user_id !== 'string' || body.user_id === '') throw new HttpError(400, 'user_id is required');
      if (users.has(body.user_id)) throw new HttpError(400, `user already exists: ${body.user_id}`);
      const user: StoredUser = {
        uuid: crypto.randomUUID(),
        user_id: body.user_id,
        created_at: now(),
        edges: new Map(),
        threads: new Set(),
      };
      users.set(user.user_id, user);
      return { status: 201, json: { uuid: user.uuid, user_id: user.user_id, created_at: user.created_at } };
    }
    if (resource === 'users' && parts.length === 2) {
      const user = userOf(a!);
      if (method === 'GET') return { json: { uuid: user.uuid, user_id: user.user_id, created_at: user.created_at } };
      if (method === 'DELETE') {
        deleteUser(user);
        return { json: { message: 'deleted' } };
      }
    }
    if (resource === 'threads' && parts.length === 1 && method === 'POST') {
      const user = userOf(body?.user_id);
      if (typeof body?.thread_id !== 'string' || body.thread_id === '') throw new HttpError(400, 'thread_id is required');
      if (threads.has(body.thread_id)) throw new HttpError(400, `thread already exists: ${body.thread_id}`);
      const thread: StoredThread = {
        uuid: crypto.randomUUID(),
        thread_id: body.thread_id,
        user_id: user.user_id,
        created_at: now(),
        messages: [],
      };
      threads.set(thread.thread_id, thread);
      user.threads.add(thread.thread_id);
      const json = { uuid: thread.uuid, thread_id: thread.thread_id, user_id: user.user_id, created_at: thread.created_at };
      return { status: 201, json };
    }
    if (resource === 'threads' && parts.length === 3 && b === 'messages') {
      const thread = threadOf(a!);
      if (method === 'POST') {
        if (!Array.isArray(body?.messages) || body.messages.length === 0) throw new HttpError(400, 'messages are required');
        const added: StoredMessage[] = body.messages.map((message: any) => {
          validateMessageMetadata(message.metadata);
          return {
            uuid: crypto.randomUUID(),
            role: message.role,
            content: message.content,
            ...(message.name === undefined ? {} : { name: message.name }),
            ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
            created_at: now(),
            processed: false,
          };
        });
        thread.messages.push(...added);
        const task: StoredTask = { task_id: crypto.randomUUID(), status: 'pending', created_at: now() };
        tasks.set(task.task_id, task);
        ingest(thread, added, task);
        return { json: { message_uuids: added.map((message) => message.uuid), task_id: task.task_id } };
      }
      if (method === 'GET') {
        const limit = Number(query.get('limit') ?? 100);
        const page = Number(query.get('cursor') ?? 1);
        const slice = thread.messages.slice((page - 1) * limit, page * limit);
        return {
          json: {
            messages: slice,
            row_count: slice.length,
            total_count: thread.messages.length,
            thread_created_at: thread.created_at,
            user_id: thread.user_id,
          },
        };
      }
    }
    if (resource === 'threads' && parts.length === 3 && method === 'GET' && b === 'context') {
      const thread = threadOf(a!);
      const facts = [...userOf(thread.user_id).edges.values()].map((edge) => `  - ${edge.fact}`);
      return { json: { context: `<FACTS>\n${facts.join('\n')}\n</FACTS>` } };
    }
    if (resource === 'threads' && parts.length === 3 && method === 'GET' && b === 'summary') {
      const thread = threadOf(a!);
      const processed = thread.messages.filter((message) => message.processed && message.role === 'user');
      const summary = processed.length === 0 ? '' : `The user said: ${processed.map((message) => message.content).join('; ')}`;
      const last = processed.at(-1);
      return {
        json: {
          uuid: thread.uuid,
          thread_id: thread.thread_id,
          summary,
          ...(last ? { created_at: processed[0]!.created_at, last_summarized_at: last.created_at } : {}),
        },
      };
    }
    if (resource === 'graph' && a === 'search' && method === 'POST') {
      const user = userOf(body?.user_id);
      const limit = body.limit ?? 10;
      if (limit > 50) throw new HttpError(400, 'limit must be at most 50');
      if ((body.scope ?? 'edges') !== 'edges') throw new HttpError(400, 'this test server searches edges only');
      const episodes: string[] | undefined = body.search_filters?.episode_uuids;
      if (episodes && episodes.length > 256) throw new HttpError(400, 'episode_uuids takes at most 256 entries');
      const terms = [...new Set(termsOf(String(body.query ?? '')))];
      const scored = [...user.edges.values()]
        .filter((edge) => !episodes || edge.episodes.some((episode) => episodes.includes(episode)))
        .map((edge) => {
          const words = new Set(termsOf(edge.fact));
          // Zep's own scoring is not ours to copy: the share of the query's terms the fact contains.
          return { edge, score: terms.length === 0 ? 0 : terms.filter((term) => words.has(term)).length / terms.length };
        })
        .filter(({ score }) => score > 0)
        .sort((x, y) => y.score - x.score || y.edge.created_at.localeCompare(x.edge.created_at))
        .slice(0, limit);
      const crossEncoder = body.reranker === 'cross_encoder';
      return {
        json: {
          edges: scored.map(({ edge, score }) => ({ ...edge, score, ...(crossEncoder ? { relevance: score } : {}) })),
        },
      };
    }
    if (resource === 'graph' && a === 'edge' && b === 'user' && c !== undefined && method === 'POST') {
      const user = userOf(c);
      const wanted: string[] | undefined = body?.filters?.edge_uuids;
      const all = [...user.edges.values()]
        .filter((edge) => !wanted || wanted.includes(edge.uuid))
        .sort((x, y) => x.uuid.localeCompare(y.uuid));
      const after = body?.cursor === undefined ? undefined : atob(body.cursor);
      const rest = after === undefined ? all : all.filter((edge) => edge.uuid > after);
      const page = rest.slice(0, body?.limit ?? 100);
      const headers: Record<string, string> = {};
      if (rest.length > page.length) headers['Zep-Next-Cursor'] = btoa(page.at(-1)!.uuid);
      return { json: page, headers };
    }
    if (resource === 'graph' && a === 'edge' && parts.length === 3) {
      const { user, edge } = edgeOf(b!);
      if (method === 'GET') return { json: edge };
      if (method === 'DELETE') {
        user.edges.delete(edge.uuid);
        return { json: { message: 'deleted' } };
      }
    }
    if (resource === 'tasks' && parts.length === 2 && method === 'GET') {
      const task = tasks.get(a!);
      if (!task) throw new HttpError(404, `task not found: ${a}`);
      return { json: { ...task, type: 'add_messages' } };
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      if (dropAnswer) {
        dropAnswer = false;
        return request.socket.destroy();
      }
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(json));
    };
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await readBody(request);
      const path = url.pathname.replace(/^\/api\/v2/, '');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      requests.push({
        method: request.method ?? 'GET',
        path: url.pathname + url.search,
        authorization: request.headers.authorization,
        headers,
        body,
      });
      const forPath = pathFailures.findIndex((entry) => path.startsWith(entry.pathPrefix));
      const failure = forPath >= 0 ? pathFailures.splice(forPath, 1)[0]!.status : failures.shift();
      if (failure !== undefined) {
        return send(failure, { message: `injected failure ${failure}` }, failure === 429 ? { 'retry-after': '0' } : {});
      }
      if (request.headers.authorization !== `Api-Key ${apiKey}`) return send(401, { message: 'unauthorized' });
      try {
        const { status = 200, json, headers } = await route(request.method ?? 'GET', path, url.searchParams, body);
        if (answerDelayMs > 0) {
          const wait = answerDelayMs;
          answerDelayMs = 0;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        send(status, json, headers);
      } catch (error) {
        if (error instanceof HttpError) return send(error.status, { message: error.message });
        send(500, { message: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/api/v2`,
    apiKey,
    requests,
    failNext: (...statuses) => failures.push(...statuses),
    failNextTo: (pathPrefix, ...statuses) => pathFailures.push(...statuses.map((status) => ({ pathPrefix, status }))),
    dropNextAnswer: () => {
      dropAnswer = true;
    },
    delayNextAnswer: (ms) => {
      answerDelayMs = ms;
    },
    failIngestion: (on) => {
      ingestionFails = on;
    },
    invalidate: (edgeUuid) => {
      const { edge } = edgeOf(edgeUuid);
      edge.invalid_at = now();
      edge.expired_at = edge.invalid_at;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
