import { defineConfig } from 'tsup';

// tsup only reads a default export. Two entries: the edge-safe platform client and the Node-only
// self-hosted one, so an edge bundle of the first never reaches mem0ai/oss or better-sqlite3.
export default defineConfig({
  entry: ['src/index.ts', 'src/oss.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
