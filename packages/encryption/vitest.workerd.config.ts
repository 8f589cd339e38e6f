import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The same tests inside workerd: proves the wrapper uses web APIs (WebCrypto) only.
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
    include: ['test/**/*.test.ts'],
    // ioredis does not load in the workers pool; the Redis-backed run is Node only.
    exclude: ['test/node/**'],
  },
});
