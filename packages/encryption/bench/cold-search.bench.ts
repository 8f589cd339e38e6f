import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { comparePair, printFigures, summarize, type Figure, type PairResult } from '@fastagentic/bench';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { encodeBase64Url } from '../src/base64url.js';
import { withEncryption } from '../src/node/with-encryption.js';
import { skewedText } from './skewed-text.js';

// Cold encrypted search, as a restarted server or a new Worker isolate meets it: 10,000 memories
// of one user in a libSQL file, each encrypted search through a wrapper made for that query,
// beside the same search of the same data unencrypted, in the same run. Measured twice: in this
// process (a new wrapper per query), and in a new process per search (its first search).
const TARGET_RATIO = 2;
const MEMORIES = 10_000;
const NEW_PROCESS_SAMPLES = Number(process.env.BENCH_PROCESS_SAMPLES ?? 25);
const QUERY = 'kelomar tavisu brenodi';
const USER = 'cold-searcher';

const text = skewedText(QUERY.split(' '), 11);

const key = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
const folder = await mkdtemp(join(tmpdir(), 'fastagentic-cold-search-'));
const bareUrl = `file:${join(folder, 'bare.db')}`;
const encryptedUrl = `file:${join(folder, 'encrypted.db')}`;
const figures: Figure[] = [];

function pairFigure(result: PairResult): Figure {
  return {
    name: result.name,
    value: result.candidate,
    baselineName: result.baselineName,
    baseline: result.baseline,
    target: `ratio <= ${TARGET_RATIO}`,
    met: result.medianRatio <= TARGET_RATIO,
  };
}

const runChild = promisify(execFile);
async function firstSearchInNewProcess(mode: 'bare' | 'encrypted'): Promise<number> {
  const url = mode === 'bare' ? bareUrl : encryptedUrl;
  const { stdout } = await runChild(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'first-search-in-new-process.ts'), url, mode, USER, QUERY],
    { env: { ...process.env, FASTAGENTIC_ENCRYPTION_KEY: key } },
  );
  const { elapsedMs, results } = JSON.parse(stdout) as { elapsedMs: number; results: number };
  if (results === 0) throw new Error(`the ${mode} search in a new process found nothing`);
  return elapsedMs;
}

try {
  const bare = new LibsqlProvider({ url: bareUrl });
  const backend = new LibsqlProvider({ url: encryptedUrl });
  const writer = withEncryption(backend, { key });
  const started = performance.now();
  for (let start = 0; start < MEMORIES; start += 500) {
    const batch = Array.from({ length: Math.min(500, MEMORIES - start) }, () => [{ role: 'user' as const, content: text(200) }]);
    await Promise.all(batch.map((messages) => bare.add(USER, messages)));
    await Promise.all(batch.map((messages) => writer.add(USER, messages)));
  }
  console.error(`seeded ${MEMORIES} memories twice in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const inProcess = await comparePair({
    name: `encrypted search, a new wrapper per query, ${MEMORIES} memories (LibsqlProvider file)`,
    baselineName: 'unencrypted LibsqlProvider.search',
    baseline: () => bare.search(USER, QUERY),
    candidate: () => withEncryption(backend, { key }).search(USER, QUERY),
    iterations: 50,
    warmup: 3,
  });
  figures.push(pairFigure(inProcess));
  await bare.close();
  await backend.close();

  // Alternating, so load on the machine falls on both alike.
  const samples = { bare: [] as number[], encrypted: [] as number[] };
  for (let i = 0; i < NEW_PROCESS_SAMPLES; i++) {
    for (const mode of i % 2 === 0 ? (['bare', 'encrypted'] as const) : (['encrypted', 'bare'] as const)) {
      samples[mode].push(await firstSearchInNewProcess(mode));
    }
  }
  const encrypted = summarize(samples.encrypted);
  const baseline = summarize(samples.bare);
  figures.push({
    name: `first encrypted search of a new process, ${MEMORIES} memories (LibsqlProvider file)`,
    value: encrypted,
    baselineName: 'first unencrypted search of a new process',
    baseline,
    target: `ratio <= ${TARGET_RATIO}`,
    met: encrypted.medianMs / baseline.medianMs <= TARGET_RATIO,
  });
} finally {
  await rm(folder, { recursive: true, force: true });
}

printFigures(`withEncryption cold search (Node ${process.versions.node}; memories of 200 characters)`, figures);
