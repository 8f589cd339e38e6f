import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { printFigures } from '@fastagentic/bench';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const TARGET_KIB = 128;

/** `wrangler deploy --dry-run` with the app's wrangler.jsonc (minify on), optionally for another entry. */
function build(entry?: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
  const args = ['exec', 'wrangler', 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir];
  const log = execFileSync('pnpm', args, { cwd: appDir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const bundle = readFileSync(join(outdir, entry ? entry.replace(/^.*\//, '').replace(/\.ts$/, '.js') : 'worker.js'));
  rmSync(outdir, { recursive: true, force: true });
  const printed = /gzip: ([\d.]+) KiB/.exec(log);
  return {
    minifiedKiB: bundle.length / 1024,
    gzipKiB: gzipSync(bundle).length / 1024,
    wranglerGzipKiB: printed ? Number(printed[1]) : Number.NaN,
  };
}

const worker = build();
const bare = build('bench/bare-hono-worker.ts');
const show = (size: ReturnType<typeof build>) =>
  `${size.gzipKiB.toFixed(1)} KiB gzip (wrangler: ${size.wranglerGzipKiB.toFixed(1)}), ${size.minifiedKiB.toFixed(1)} KiB minified`;

printFigures('Worker bundle, wrangler deploy --dry-run, minified', [
  {
    name: 'reference agent: fastagentic + @fastagentic/memory (in-memory) + @fastagentic/prometheus (prom-client)',
    value: { text: show(worker) },
    baselineName: 'Hono alone',
    baseline: { text: show(bare) },
    ratio: worker.gzipKiB / bare.gzipKiB,
    target: `< ${TARGET_KIB} KiB gzip`,
    met: worker.gzipKiB < TARGET_KIB,
  },
]);
