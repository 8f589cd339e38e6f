import { defineConfig } from 'tsup';

const external = [/^@fastagentic\//, '@libsql/client', 'pg', 'ioredis', 'commander', 'cli-progress'];

// tsup only reads a default export. The library (ESM + CJS), then the binary (ESM, with its shebang).
export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, target: 'es2022', external },
  { entry: ['src/fastagentic-memory.ts'], format: ['esm'], sourcemap: true, target: 'es2022', external },
]);
