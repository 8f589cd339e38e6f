import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newProvider } from './new-provider.js';

// `pnpm new-provider <name>` from the repository root.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const name = process.argv[2];
if (name === undefined || process.argv.length > 3) {
  console.error('usage: pnpm new-provider <name>   (e.g. pnpm new-provider acme-db)');
  process.exit(1);
}
try {
  const files = await newProvider(name, root);
  console.log(`Created:\n${files.map((file) => `  ${file}`).join('\n')}\nNext: the steps in CONTRIBUTING.md, from "pnpm install --no-frozen-lockfile" (adding a package changes the lockfile).`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
