import { defineConfig } from 'vitest/config';
import { TEST_TIMEOUT_MS } from './test/test-timeout.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file opens PGlite (seconds of WASM start on a busy machine) or a schema on the server.
    maxWorkers: 2,
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: TEST_TIMEOUT_MS,
  },
});
