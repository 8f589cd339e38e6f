import { defineConfig } from 'tsup';

// tsup only reads a default export.
export default defineConfig({
  entry: ['src/index.ts', 'src/d1.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@libsql/client', '@libsql/client/web', '@fastagentic/memory'],
});
