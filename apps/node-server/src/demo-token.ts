import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign, verify } from 'hono/jwt';

/** How long a demo token is valid, and how much of that must be left for the kept one to be printed again. */
const DEMO_TOKEN_LIFETIME_S = 30 * 86_400;
const DEMO_TOKEN_MIN_LEFT_S = 86_400;

/**
 * The demo user's token, kept in the data folder beside the demo secret so every start prints the
 * same one (a token pasted into a shell or a script keeps working). A new one is made when there is
 * none, it no longer verifies with the secret, or it has less than a day left.
 */
export async function demoTokenIn(folder: string, secret: string, userId: string): Promise<string> {
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
    if (payload?.sub === userId && typeof payload.exp === 'number' && payload.exp - now >= DEMO_TOKEN_MIN_LEFT_S) return kept;
  }
  const token = await sign({ sub: userId, exp: now + DEMO_TOKEN_LIFETIME_S }, secret, 'HS256');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
