import { fileURLToPath } from 'node:url';
import { Miniflare, type MiniflareOptions } from 'miniflare';

// The wrangler-built bundle (`pnpm build`, run by the test script) in workerd: prom-client does
// not load in the vitest workers pool, but runs in workerd itself.
const bundle = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

export interface RunningWorker {
  worker: Miniflare;
  baseUrl: string;
}

/** The reference Worker on a free loopback port with these bindings (and D1 databases, if any). */
export async function startWorker(
  bindings: Record<string, string>,
  d1Databases?: MiniflareOptions['d1Databases'],
): Promise<RunningWorker> {
  const worker = new Miniflare({
    modules: true,
    scriptPath: bundle,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    ...(d1Databases === undefined ? {} : { d1Databases }),
    host: '127.0.0.1',
    port: 0,
  });
  return { worker, baseUrl: (await worker.ready).origin };
}
