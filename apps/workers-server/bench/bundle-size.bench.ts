import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { printFigures } from '@fastagentic/bench';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const TARGET_KIB = 128;

/**
 * `wrangler deploy --dry-run` with the app's wrangler.jsonc (minify on), optionally for another
 * entry, or with modules aliased away through a temporary copy of the config.
 */
function build(entry?: string, alias?: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
  const metafile = join(outdir, 'meta.json');
  const args = ['exec', 'wrangler', 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir, '--metafile', metafile];
  if (alias) {
    const config = join(outdir, 'wrangler.json');
    const { main: _main, $schema: _schema, ...settings } = JSON.parse(
      readFileSync(join(appDir, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
    ) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...settings, main: join(appDir, 'src/worker.ts'), alias }));
    args.push('--config', config);
  }
  const log = execFileSync('pnpm', args, { cwd: appDir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const bundle = readFileSync(join(outdir, entry ? entry.replace(/^.*\//, '').replace(/\.ts$/, '.js') : 'worker.js'));
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as { outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }> };
  rmSync(outdir, { recursive: true, force: true });
  // Minified bytes per npm package (or per workspace folder), to show what the bundle is made of.
  const byPackage = new Map<string, number>();
  const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('.js'))![1];
  for (const [file, input] of Object.entries(output.inputs)) {
    // npm packages with their version, so two copies of one package (zod 3 and 4) show apart.
    const found = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
    const version = found ? /\.pnpm\/(?:@[^+]+\+)?[^@/]+@([^_/]+)/.exec(file)?.[1] : undefined;
    const name = found ? `${found[1]}${version ? `@${version}` : ''}` : file.replace(/^(\.\.\/)+/, '').split('/').slice(0, 2).join('/');
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  const printed = /gzip: ([\d.]+) KiB/.exec(log);
  return {
    minifiedKiB: bundle.length / 1024,
    gzipKiB: gzipSync(bundle).length / 1024,
    wranglerGzipKiB: printed ? Number(printed[1]) : Number.NaN,
    byPackage,
  };
}

const worker = build();
const leftOut = fileURLToPath(new URL('./adapter-left-out.ts', import.meta.url));
const withoutHostedServices = build(undefined, { '@fastagentic/zep': leftOut, '@fastagentic/mem0': leftOut });
const withoutMem0 = build(undefined, { '@fastagentic/mem0': leftOut });
const withoutZep = build(undefined, { '@fastagentic/zep': leftOut });
const bare = build('bench/bare-hono-worker.ts');
const show = (size: ReturnType<typeof build>) =>
  `${size.gzipKiB.toFixed(1)} KiB gzip (wrangler: ${size.wranglerGzipKiB.toFixed(1)}), ${size.minifiedKiB.toFixed(1)} KiB minified`;

printFigures('Worker bundle, wrangler deploy --dry-run, minified', [
  {
    name: 'reference agent with every edge adapter: Upstash, Mem0 (fetch), Zep (fetch), encryption, prom-client',
    value: { text: show(worker) },
    baselineName: 'Hono alone',
    baseline: { text: show(bare) },
    ratio: worker.gzipKiB / bare.gzipKiB,
    target: `<= ${TARGET_KIB} KiB gzip`,
    met: worker.gzipKiB <= TARGET_KIB,
  },
  {
    name: 'the same without Mem0 (Upstash, Zep, encryption, prom-client)',
    value: { text: show(withoutMem0) },
    target: `<= ${TARGET_KIB} KiB gzip`,
    met: withoutMem0.gzipKiB <= TARGET_KIB,
  },
  {
    name: 'the same without Zep (Upstash, Mem0, encryption, prom-client)',
    value: { text: show(withoutZep) },
    target: `<= ${TARGET_KIB} KiB gzip`,
    met: withoutZep.gzipKiB <= TARGET_KIB,
  },
  {
    name: 'the same without Mem0 and Zep (Upstash, encryption, prom-client)',
    value: { text: show(withoutHostedServices) },
    target: `<= ${TARGET_KIB} KiB gzip`,
    met: withoutHostedServices.gzipKiB <= TARGET_KIB,
  },
]);

const largest = [...worker.byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10);
printFigures(
  'What the Worker bundle is made of (minified bytes per package)',
  largest.map(([name, bytes]) => ({ name, value: { text: `${(bytes / 1024).toFixed(1)} KiB` } })),
);
