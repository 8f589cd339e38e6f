import { explainSearch, readProfile, validateProfile, writeProfile, type MemoryProvider } from '@fastagentic/memory';
import { validateQuery, validateUserId } from '@fastagentic/memory/provider';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { errorBody } from './error-body.js';
import { INSPECTOR_SCRIPT, INSPECTOR_STYLE, inspectorPage } from './inspector-assets.js';
import type { LatencyWindow } from './latency-window.js';
import { parseLimitParameter, readJsonObject } from './request-input.js';

interface InspectorDependencies {
  title: string;
  requireUser: MiddlewareHandler<AppEnv>;
  memory: MemoryProvider;
  sessionMemory: MemoryProvider | undefined;
  latency: LatencyWindow;
  /** Removes the user's queued writes so none lands after a forget. */
  forgetQueued: (userId: string) => Promise<number>;
}

/** Everything under /inspector: no inline script or style, no framing, no third-party anything. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function secure(c: Context): void {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
}

/** A number option of the inspector's API; NaN for anything else, so the core's validator names the field. */
function optionalNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * The inspector: the page (`GET /inspector`), its script and style, and a small JSON API under
 * `/inspector/api` behind the app's bearer auth. A user reads and changes their own memories; a
 * caller with the admin role may name any user with `?subject=<id>`.
 */
export function registerInspectorRoutes(hono: Hono<AppEnv>, deps: InspectorDependencies): void {
  const { requireUser } = deps;
  const page = inspectorPage(deps.title);

  hono.use('/inspector', async (c, next) => {
    await next();
    secure(c);
  });
  hono.use('/inspector/*', async (c, next) => {
    await next();
    secure(c);
  });
  hono.get('/inspector', (c) => c.html(page));
  hono.get('/inspector/app.js', (c) => c.body(INSPECTOR_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  hono.get('/inspector/app.css', (c) => c.body(INSPECTOR_STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8' }));

  /** The user the call is about: the caller, or (admins only) `?subject=`. Null after a 403. */
  const subjectOf = (c: Context<AppEnv>): string | null => {
    const caller = c.get('user');
    const subject = c.req.query('subject');
    if (subject === undefined || subject === caller.id) return caller.id;
    if (!caller.isAdmin) return null;
    return validateUserId(subject, 'subject');
  };
  const forbidden = (c: Context<AppEnv>) =>
    c.json(errorBody('forbidden', "Only an admin may look at another user's memories", 'subject'), 403);
  const storeOf = (c: Context<AppEnv>): MemoryProvider | undefined =>
    c.req.query('store') === 'session' ? deps.sessionMemory : deps.memory;

  hono.get('/inspector/api/me', requireUser, (c) => {
    const user = c.get('user');
    return c.json({ id: user.id, isAdmin: user.isAdmin, sessionMemory: deps.sessionMemory !== undefined });
  });

  hono.get('/inspector/api/memories', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    const store = storeOf(c);
    if (!store) return c.json({ memories: [], nextCursor: null });
    const page = await store.getAll(subject, { limit: parseLimitParameter(c.req.query('limit')), cursor: c.req.query('cursor') });
    return c.json(page);
  });

  hono.post('/inspector/api/explain', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    const body = await readJsonObject(c);
    const explanation = await explainSearch(deps.memory, subject, validateQuery(body.query, 'query'), {
      minRelevance: optionalNumber(body.minRelevance),
      limit: optionalNumber(body.maxMemories),
    });
    return c.json(explanation);
  });

  // The user's profile (working memory), read and replaced as `GET`/`PUT /profile` do.
  hono.get('/inspector/api/profile', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    return c.json({ profile: await readProfile(deps.memory, subject) });
  });

  hono.put('/inspector/api/profile', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    const profile = validateProfile((await readJsonObject(c)).profile, 'profile');
    await writeProfile(deps.memory, subject, profile, { reason: 'inspector' });
    return c.json({ profile });
  });

  hono.delete('/inspector/api/memories/:memoryId', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    const store = storeOf(c);
    if (!store) return c.json(errorBody('not_found', 'This app has no session memory'), 404);
    await store.delete(subject, c.req.param('memoryId'));
    return c.json({ deleted: 1 });
  });

  hono.post('/inspector/api/forget', requireUser, async (c) => {
    const subject = subjectOf(c);
    if (subject === null) return forbidden(c);
    await deps.forgetQueued(subject);
    const [longTerm, session] = await Promise.all([
      deps.memory.deleteAll(subject),
      deps.sessionMemory ? deps.sessionMemory.deleteAll(subject) : Promise.resolve(0),
    ]);
    return c.json({ deleted: longTerm + session });
  });

  // Aggregate timings of the app's providers: no user, memory or query appears in them.
  hono.get('/inspector/api/latency', requireUser, (c) => c.json({ operations: deps.latency.snapshot() }));
}
