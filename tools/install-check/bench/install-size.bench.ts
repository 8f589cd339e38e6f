// What a user downloads: installed size and package count of each install scenario (npm, fresh
// project, tarballs packed from this repository). Prints a Markdown table for the README.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installScenario, packPublishablePackages } from '../src/install-scenarios.js';
import { SCENARIOS } from '../src/scenarios.js';

const tarballDir = await mkdtemp(join(tmpdir(), 'fastagentic-tarballs-'));
const tarballs = await packPublishablePackages(tarballDir);
const rows: string[] = [];
for (const scenario of SCENARIOS) {
  const installed = await installScenario(scenario, tarballs);
  const installs = [...scenario.packages, ...(scenario.registry ?? [])].join(' ');
  const mebibytes = (installed.installedBytes / 1024 / 1024).toFixed(1);
  const scripts = installed.withInstallScripts.length === 0 ? 'none' : installed.withInstallScripts.join(', ');
  rows.push(`| ${scenario.name} | \`${installs}\` | ${installed.packages.length} | ${mebibytes} MiB | ${scripts} |`);
  await rm(installed.dir, { recursive: true, force: true });
}
await rm(tarballDir, { recursive: true, force: true });
console.log('| scenario | npm install | packages installed | node_modules size | install scripts |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
