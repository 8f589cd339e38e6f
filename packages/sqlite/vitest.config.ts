import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    exclude: ['test/workerd/**'],
    maxWorkers: 2,
    // Child processes and seeding take seconds when the machine is busy.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
