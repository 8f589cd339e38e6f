import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples import the package by name, as users do; tests run them against the source.
    alias: {
      '@fastagentic/mem0/oss': source('./src/oss.ts'),
      '@fastagentic/mem0': source('./src/index.ts'),
    },
  },
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    exclude: ['test/workerd/**'],
    env: { MEM0_TELEMETRY: 'false' },
  },
});
