import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real stores on a shared 2-core machine: the 100k migration alone takes minutes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
