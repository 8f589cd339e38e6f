import { fileURLToPath } from 'node:url';
import { testHttpContract } from '@fastagentic/http-contract';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';

// The wrangler-built bundle (`pnpm build`, run by the test script) in workerd: prom-client does
// not load in the vitest workers pool, but runs in workerd itself.
const bundle = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const jwtSecret = 'worker-contract-secret-0123456789abcdef';
let worker: Miniflare;
let baseUrl: string;

beforeAll(async () => {
  worker = new Miniflare({
    modules: true,
    scriptPath: bundle,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: { JWT_SECRET: jwtSecret, SESSION_TTL_SECONDS: '1' },
    host: '127.0.0.1',
    port: 0,
  });
  baseUrl = (await worker.ready).origin;
});
afterAll(() => worker.dispose());

testHttpContract({ name: 'workerd', baseUrl: () => baseUrl, jwtSecret, sessionTtlSeconds: 1 });
