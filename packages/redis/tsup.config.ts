import { defineConfig } from 'tsup';

// tsup only reads a default export.
export default defineConfig({
  entry: ['src/index.ts', 'src/upstash.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // import.meta.url (load-ioredis.ts) in the CommonJS build too.
  shims: true,
  external: ['ioredis', '@upstash/redis', '@fastagentic/memory'],
});
