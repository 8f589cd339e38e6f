import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign, verify } from 'hono/jwt';

/** How much of a kept demo token's life must be left for it to be printed again. */
const DEMO_TOKEN_MIN_LEFT_S = 3_600;

/**
 * The demo user's token, kept in the data folder beside the demo secret so every start prints the
 * same one (a token pasted into a shell or a script keeps working). It lives as long as the server
 * lets a token live (`lifetimeSeconds`, past its `iat`); a new one is made when there is none, it no
 * longer verifies with the secret, or it has less than an hour left.
 */
export async function demoTokenIn(folder: string, secret: string, userId: string, lifetimeSeconds: number): Promise<string> {
  const file = join(folder, 'demo-token');
  let kept: string | undefined;
  try {
    kept = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const now = Math.floor(Date.now() / 1000);
  if (kept !== undefined) {
    const payload = await verify(kept, secret, 'HS256').catch(() => undefined);
    const fits = typeof payload?.iat === 'number' && typeof payload.exp === 'number' && payload.exp - payload.iat <= lifetimeSeconds;
    if (payload?.sub === userId && fits && payload.exp! - now >= DEMO_TOKEN_MIN_LEFT_S) return kept;
  }
  const token = await sign({ sub: userId, iat: now, exp: now + Math.min(lifetimeSeconds, 30 * 86_400) }, secret, 'HS256');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
