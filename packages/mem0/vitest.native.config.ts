import { defineConfig } from 'vitest/config';
import { NATIVE_TESTS, nodeTestConfig } from './vitest.config.js';

// Self-hosted Mem0 on its default SQLite stores: needs better-sqlite3 built (`pnpm build:native`).
export default defineConfig({
  ...nodeTestConfig,
  test: { ...nodeTestConfig.test, name: 'native', include: NATIVE_TESTS, exclude: [] },
});
