import { defineConfig } from 'vitest/config';

// The conformance suite over the planted-bug provider; only mutation.test.ts runs it.
export default defineConfig({
  test: {
    include: ['test/mutation/planted-bugs.conformance.ts'],
  },
});
