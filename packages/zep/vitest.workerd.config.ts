import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The conformance suite inside workerd: the provider and the SDK on web APIs only, talking to
// the test server that globalSetup starts in Node.
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
    include: ['test/zep-provider.conformance.test.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
