import type { AuthenticatedUser } from './bearer-auth.js';

/** The Hono environment of the app: the authenticated user is set on every protected route. */
export type AppEnv = { Variables: { user: AuthenticatedUser } };
