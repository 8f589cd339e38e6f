import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The same suite inside workerd: proves the core and the testkit use web APIs only.
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
    // It starts a child vitest: Node only.
    exclude: ['test/mutation/**'],
  },
});
