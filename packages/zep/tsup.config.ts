import { defineConfig } from 'tsup';

// tsup only reads a default export.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@fastagentic/memory'],
});
