import { readProfile, validateProfile, writeProfile, type MemoryProvider } from '@fastagentic/memory';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { readJsonObject, rejectIdentityFields } from './request-input.js';

interface ProfileRouteDependencies {
  requireUser: MiddlewareHandler<AppEnv>;
  memory: () => MemoryProvider;
}

/**
 * The signed-in user's profile (working memory): `GET /profile` reads it, `PUT /profile` with
 * `{ "profile": { ... } }` replaces it. It lives in long-term memory, so forget removes it too.
 */
export function registerProfileRoutes(hono: Hono<AppEnv>, deps: ProfileRouteDependencies): void {
  hono.get('/profile', deps.requireUser, async (c) => {
    rejectIdentityFields(Object.keys(c.req.query()));
    return c.json({ profile: await readProfile(deps.memory(), c.get('user').id) });
  });

  hono.put('/profile', deps.requireUser, async (c) => {
    const body = await readJsonObject(c);
    const profile = validateProfile(body.profile, 'profile');
    await writeProfile(deps.memory(), c.get('user').id, profile, { reason: 'user' });
    return c.json({ profile });
  });
}
