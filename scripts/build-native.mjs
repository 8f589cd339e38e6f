// Builds the one native module a contributor's extra tests need: better-sqlite3, which mem0ai/oss
// (self-hosted Mem0, `pnpm test:native`) loads for its default stores. `pnpm install` never
// builds it (pnpm-workspace.yaml allowBuilds), so the default install and `pnpm test` stay free
// of native compiles. Needs a C++ toolchain, make and python3; compiles against the headers of
// the running Node (node-gyp downloads none).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const fromMem0 = createRequire(new URL('../packages/mem0/package.json', import.meta.url));
const mem0aiEntry = fromMem0.resolve('mem0ai/oss');
const mem0aiDir = mem0aiEntry.slice(0, mem0aiEntry.lastIndexOf('/dist/'));
const fromMem0ai = createRequire(join(mem0aiDir, 'package.json'));
const sqliteDir = dirname(fromMem0ai.resolve('better-sqlite3/package.json'));

function addonLoads() {
  const probe = `new (require(${JSON.stringify(sqliteDir)}))(':memory:').close()`;
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
}

if (addonLoads()) {
  console.log(`better-sqlite3 is already built (${sqliteDir})`);
  process.exit(0);
}

const env = { ...process.env };
const nodePrefix = dirname(dirname(process.execPath));
if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'common.gypi'))) {
  env.npm_config_nodedir = nodePrefix;
}
console.log(`building better-sqlite3 in ${sqliteDir} (node-gyp, nodedir ${env.npm_config_nodedir ?? 'default'}); this takes a minute or two`);
const build = spawnSync('npm', ['run', 'install'], { cwd: sqliteDir, env, stdio: 'inherit' });
if (build.status !== 0 || !addonLoads()) {
  console.error('better-sqlite3 did not build: a C++ toolchain, make, python3 and the Node headers are needed');
  process.exit(1);
}
console.log('better-sqlite3 built');
