import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The term pipeline, scoring and the in-memory provider inside workerd: proves they use web APIs
// only and give the same terms as on Node.
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
    include: ['src/relevance/**/*.test.ts', 'src/in-memory/**/*.test.ts'],
  },
});
