import { defineConfig } from 'tsup';

// tsup only reads a default export.
export default defineConfig({
  entry: ['src/index.ts', 'src/pglite.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['pg', '@electric-sql/pglite', '@electric-sql/pglite-pgvector', '@fastagentic/memory'],
});
