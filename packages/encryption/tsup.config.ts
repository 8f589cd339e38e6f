import { defineConfig } from 'tsup';

// tsup only reads a default export.
export default defineConfig({
  // `index` never imports node:*; `node` is what the package's `node` export condition selects.
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@fastagentic/memory'],
  // Keep `node:crypto` as written: unprefixed `crypto` can resolve to a polyfill in other runtimes.
  removeNodeProtocol: false,
});
