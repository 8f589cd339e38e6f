import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // npm installs from the registry: minutes of margin, though a run takes well under one.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
