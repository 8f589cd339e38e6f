import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Inside workerd: D1 is miniflare's local D1 (a binding), and the libSQL HTTP path talks to the
// local libSQL server, which runs in Node (global setup) and whose address arrives through `inject`.
export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
        d1Databases: ['MEMORY_DB'],
      },
    }),
  ],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    globalSetup: ['test/workerd/start-libsql-http-server.ts'],
    testTimeout: 30_000,
  },
});
