import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    exclude: ['test/workerd/**'],
    // Private redis-servers and a cluster are started per file; two at once is plenty on a shared machine.
    maxWorkers: 2,
    // Seeding 10,000 memories and starting servers take seconds when the machine is busy.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
