import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The tests import the default entry; in Node they get the Node entry, as the package's
    // `node` export condition gives every Node consumer. workerd runs them on the default one.
    alias: [{ find: /^(\.\.\/)+src\/index\.js$/, replacement: fileURLToPath(new URL('src/node/index.ts', import.meta.url)) }],
  },
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
  },
});
