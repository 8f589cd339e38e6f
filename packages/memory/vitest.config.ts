import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The README snippets import the package by name: they run against these sources.
    alias: {
      '@fastagentic/memory/provider': fileURLToPath(new URL('./src/provider.ts', import.meta.url)),
      '@fastagentic/memory': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    name: 'node',
    include: ['src/**/*.test.ts'],
  },
});
