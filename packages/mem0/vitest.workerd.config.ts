import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The platform provider inside workerd, against the local Mem0 server that the global setup runs
// in Node: proves the edge entry and mem0ai's MemoryClient run on Workers.
export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
      },
    }),
  ],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    globalSetup: [fileURLToPath(new URL('./test/workerd/start-mem0-server.ts', import.meta.url))],
  },
});
