import type { MemoryFilter, MemoryProvider, Message } from '@fastagentic/memory';
import { messagesToMemoryText, validateMessages, validateMetadata, validateQuery } from '@fastagentic/memory/provider';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { errorBody } from './error-body.js';
import { memoryBytes, type UserStorageQuota } from './user-storage-quota.js';
import {
  parseFiltersParameter,
  parseLimitParameter,
  parseNumberParameter,
  readJsonObject,
  rejectUnknownParameters,
} from './request-input.js';
import type { QueueHold } from './write-behind-queue.js';

/** The query parameters of the GET routes: the same options as the POST bodies, filters as JSON. */
const LIST_PARAMETERS = ['limit', 'cursor', 'filters'] as const;
const SEARCH_PARAMETERS = ['query', 'limit', 'minRelevance', 'filters'] as const;

interface MemoryRouteDependencies {
  requireUser: MiddlewareHandler<AppEnv>;
  memory: () => MemoryProvider;
  sessionMemory: () => MemoryProvider | undefined;
  /**
   * Pauses the user's queued writes (waiting for one in flight): discarded once the erasure
   * succeeded (with the user's formations and quota count), so none lands after a forget;
   * released, all kept, when it failed.
   */
  holdQueued: (userId: string) => Promise<QueueHold>;
  /** Per-user storage quota of long-term memory, when the app has one. */
  quota: UserStorageQuota | undefined;
}

/** A JSON number option; anything else becomes NaN so the provider's validator names the field. */
function optionalNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/** The messages of `POST /memories`: `messages`, or a single `content` string stored as a user message. */
function messagesOf(body: Record<string, unknown>): Message[] {
  if (body.messages === undefined && typeof body.content === 'string') {
    return validateMessages([{ role: 'user', content: body.content }], 'content');
  }
  return validateMessages(body.messages, 'messages');
}

/**
 * The signed-in user's memory routes (list, search, add, get, delete one) and GDPR erasure.
 * Every route acts on the token's user; only erasure names a user, and only that user or an admin may call it.
 */
export function registerMemoryRoutes(hono: Hono<AppEnv>, deps: MemoryRouteDependencies): void {
  const { requireUser } = deps;

  hono.get('/memories', requireUser, async (c) => {
    rejectUnknownParameters(Object.keys(c.req.query()), LIST_PARAMETERS);
    const page = await deps.memory().getAll(c.get('user').id, {
      limit: parseLimitParameter(c.req.query('limit')),
      cursor: c.req.query('cursor'),
      filters: parseFiltersParameter(c.req.query('filters')),
    });
    return c.json(page);
  });

  hono.get('/memories/search', requireUser, async (c) => {
    rejectUnknownParameters(Object.keys(c.req.query()), SEARCH_PARAMETERS);
    const query = validateQuery(c.req.query('query'), 'query');
    const memories = await deps.memory().search(c.get('user').id, query, {
      limit: parseLimitParameter(c.req.query('limit')),
      minRelevance: parseNumberParameter(c.req.query('minRelevance')),
      filters: parseFiltersParameter(c.req.query('filters')),
    });
    return c.json({ memories });
  });

  hono.post('/memories/search', requireUser, async (c) => {
    const body = await readJsonObject(c);
    const query = validateQuery(body.query, 'query');
    const memories = await deps.memory().search(c.get('user').id, query, {
      limit: optionalNumber(body.limit),
      minRelevance: optionalNumber(body.minRelevance),
      filters: body.filters as MemoryFilter | undefined,
    });
    return c.json({ memories });
  });

  hono.post('/memories', requireUser, async (c) => {
    const body = await readJsonObject(c);
    const messages = messagesOf(body);
    const metadata = validateMetadata(body.metadata, 'metadata');
    const userId = c.get('user').id;
    const bytes = memoryBytes(messagesToMemoryText(messages), metadata);
    await deps.quota?.reserve(userId, bytes);
    try {
      return c.json({ id: await deps.memory().add(userId, messages, metadata) }, 201);
    } catch (error) {
      deps.quota?.removed(userId, bytes);
      throw error;
    }
  });

  hono.get('/memories/:memoryId', requireUser, async (c) => {
    const userId = c.get('user').id;
    const memoryId = c.req.param('memoryId');
    const session = deps.sessionMemory();
    const memory = (await deps.memory().get(userId, memoryId)) ?? (session ? await session.get(userId, memoryId) : null);
    if (!memory) return c.json(errorBody('not_found', `Memory not found: ${memoryId}`), 404);
    return c.json(memory);
  });

  hono.delete('/memories/:memoryId', requireUser, async (c) => {
    const userId = c.get('user').id;
    const memoryId = c.req.param('memoryId');
    const session = deps.sessionMemory();
    // Ids are unique across stores, so the id says which store holds the memory.
    const longTerm = await deps.memory().get(userId, memoryId);
    if (!longTerm && session && (await session.get(userId, memoryId))) {
      await session.delete(userId, memoryId);
    } else {
      await deps.memory().delete(userId, memoryId);
      if (longTerm) deps.quota?.removed(userId, memoryBytes(longTerm.memory, longTerm.metadata));
    }
    return c.json({ deleted: 1 });
  });

  const forget = async (c: Context<AppEnv>) => {
    const caller = c.get('user');
    const userId = c.req.param('userId')!;
    if (userId !== caller.id && !caller.isAdmin) {
      return c.json(errorBody('forbidden', 'Only the user themselves or an admin may erase these memories'), 403);
    }
    const held = await deps.holdQueued(userId);
    const session = deps.sessionMemory();
    let deleted: [number, number];
    try {
      deleted = await Promise.all([deps.memory().deleteAll(userId), session ? session.deleteAll(userId) : Promise.resolve(0)]);
    } catch (error) {
      // The forget failed (503): the user's promised writes stay queued, and the client retries it.
      held.release();
      throw error;
    }
    await held.discard();
    return c.json({ deleted: deleted[0] + deleted[1] });
  };
  hono.delete('/users/:userId/memories', requireUser, forget);
  hono.post('/users/:userId/forget', requireUser, forget);
}
