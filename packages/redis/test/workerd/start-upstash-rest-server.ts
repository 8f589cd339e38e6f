import type { TestProject } from 'vitest/node';
import { SHARED_REDIS_URL, uniquePrefix } from '../shared-redis.js';
import { startUpstashRestServer } from '../upstash-rest-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    upstash: { url: string; token: string; prefix: string };
  }
}

/** Vitest global setup (Node): starts the REST server the worker-side test talks to. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startUpstashRestServer(SHARED_REDIS_URL);
  project.provide('upstash', { url: server.url, token: server.token, prefix: uniquePrefix('workerd') });
  return () => server.close();
}
