import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests that run self-hosted Mem0 (mem0ai/oss), whose stores load better-sqlite3's native addon.
 * They are not part of `pnpm test` (a fresh install compiles nothing); `pnpm test:native` runs
 * them after `pnpm build:native` (vitest.native.config.ts).
 */
export const NATIVE_TESTS = [
  'test/self-hosted-mem0-provider.test.ts',
  'test/self-hosted-mem0-provider.conformance.test.ts',
  'test/telemetry.test.ts',
];

export const nodeTestConfig = {
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
    exclude: ['test/workerd/**', ...NATIVE_TESTS],
    env: { MEM0_TELEMETRY: 'false' },
  },
};

export default defineConfig(nodeTestConfig);
