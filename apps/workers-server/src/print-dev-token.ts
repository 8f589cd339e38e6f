import { sign } from 'hono/jwt';

// The secret `pnpm dev` passes to wrangler dev: local use only.
const DEV_SECRET = 'local-dev-secret-change-me-0123456789';
const userId = process.argv[2] ?? 'demo-user';
const token = await sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 86_400 }, DEV_SECRET, 'HS256');
console.log(`export TOKEN=${token}`);
