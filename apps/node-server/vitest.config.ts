import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start servers and child processes; on a busy 2-core machine that can take seconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
