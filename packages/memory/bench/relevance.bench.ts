import { comparePair, measure, printFigures, type Figure } from '@fastagentic/bench';
import { InMemoryProvider } from '../src/index.js';
import { LexicalIndex } from '../src/relevance/lexical-index.js';
import { terms, TERMS_VERSION } from '../src/relevance/terms.js';
import { retrievalDataset, type QueryCategory, type RetrievalDataset } from './retrieval-dataset.js';
import { RankerV1, termsV1 } from './terms-v1.js';

const USER = 'bench-user';
const CUTOFF = 10;

async function providerOver(memories: readonly string[]): Promise<{ provider: InMemoryProvider; idOf: Map<string, number> }> {
  const provider = new InMemoryProvider();
  const idOf = new Map<string, number>();
  for (let i = 0; i < memories.length; i++) idOf.set(await provider.add(USER, [{ role: 'user', content: memories[i]! }]), i);
  return { provider, idOf };
}

interface Quality {
  recall: number;
  mrr: number;
  queries: number;
}

function tally(ranks: ReadonlyArray<{ category: string; rank: number | undefined }>): Map<string, Quality> {
  const out = new Map<string, Quality>();
  for (const key of ['overall', ...new Set(ranks.map((r) => r.category))]) {
    const mine = ranks.filter((r) => key === 'overall' || r.category === key);
    const found = mine.filter((r) => r.rank !== undefined);
    out.set(key, {
      queries: mine.length,
      recall: found.length / mine.length,
      mrr: found.reduce((sum, r) => sum + 1 / r.rank!, 0) / mine.length,
    });
  }
  return out;
}

/** recall@10 and MRR per category, v1 beside v2, over the labelled dataset. */
async function retrievalQuality(dataset: RetrievalDataset): Promise<Figure[]> {
  const v1 = new RankerV1(dataset.memories);
  const { provider, idOf } = await providerOver(dataset.memories);
  const v1Ranks: Array<{ category: QueryCategory; rank: number | undefined }> = [];
  const v2Ranks: Array<{ category: QueryCategory; rank: number | undefined }> = [];
  for (const { query, category, target } of dataset.queries) {
    const v1Found = v1.search(query, CUTOFF).indexOf(target);
    v1Ranks.push({ category, rank: v1Found < 0 ? undefined : v1Found + 1 });
    const v2Found = (await provider.search(USER, query, { limit: CUTOFF })).findIndex((m) => idOf.get(m.id) === target);
    v2Ranks.push({ category, rank: v2Found < 0 ? undefined : v2Found + 1 });
  }
  const before = tally(v1Ranks);
  const after = tally(v2Ranks);
  const figures: Figure[] = [];
  for (const [category, v2] of after) {
    const v1q = before.get(category)!;
    const overall = category === 'overall';
    figures.push({
      name: `${category} (${v2.queries} queries): recall@10 ${pct(v2.recall)}, MRR ${v2.mrr.toFixed(3)}`,
      value: { text: `${pct(v2.recall)} / ${v2.mrr.toFixed(3)}` },
      baselineName: 'v1',
      baseline: { text: `${pct(v1q.recall)} / ${v1q.mrr.toFixed(3)}` },
      target: overall ? 'recall@10 >= v1 + 10 points' : 'recall@10 >= v1',
      met: overall ? v2.recall >= v1q.recall + 0.1 : v2.recall >= v1q.recall,
    });
  }
  return figures;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * Score calibration on labelled pairs at a given user size: each labelled query against its own
 * memory (relevant) and against another fact's memory (irrelevant), with `size - 1` distractors
 * in the index so rarity and average length are those of a user of that size.
 */
function calibration(size: number): Figure[] {
  const dataset = retrievalDataset(Math.max(0, size - 1), 11);
  const factMemories = [...new Set(dataset.queries.map((q) => q.target))];
  const fillers = dataset.memories.filter((_, i) => !factMemories.includes(i));
  const index = new LexicalIndex();
  fillers.slice(0, size - 1).forEach((text, i) => index.add(i, text));
  const scoreAgainst = (query: string, memory: string): number => {
    const id = 1e9;
    index.add(id, memory);
    const hit = index.search([...new Set(terms(query))]).find((h) => h.id === id);
    index.remove(id, memory);
    return hit?.score ?? 0;
  };
  const lexicalCategories = new Set<QueryCategory>(['exact words', 'plurals and tenses', 'accents', 'british/american', 'chinese', 'japanese']);
  const relevant: number[] = [];
  const relevantAll: number[] = [];
  const irrelevant: number[] = [];
  dataset.queries.forEach(({ query, category, target }, i) => {
    const score = scoreAgainst(query, dataset.memories[target]!);
    relevantAll.push(score);
    if (lexicalCategories.has(category)) relevant.push(score);
    // Another fact's memory, at a fixed stride so the pairs are the same every run.
    const other = factMemories[(factMemories.indexOf(target) + 17 + (i % 5)) % factMemories.length]!;
    irrelevant.push(scoreAgainst(query, dataset.memories[other]!));
  });
  const share = (scores: number[], at: number) => scores.filter((s) => s >= at).length / scores.length;
  const name = `${size.toLocaleString('en')} memor${size === 1 ? 'y' : 'ies'}`;
  return [
    {
      name: `${name}: relevant pairs >= 0.7 (${relevant.length} keyword queries)`,
      value: { text: pct(share(relevant, 0.7)) },
      baselineName: 'all relevant incl. paraphrase/speaker',
      baseline: { text: pct(share(relevantAll, 0.7)) },
      target: '>= 80%',
      met: share(relevant, 0.7) >= 0.8,
    },
    {
      name: `${name}: irrelevant pairs >= 0.3 (${irrelevant.length})`,
      value: { text: pct(share(irrelevant, 0.3)) },
      target: '<= 5%',
      met: share(irrelevant, 0.3) <= 0.05,
    },
  ];
}

/** One word against a long memory that merely mentions it, at a realistic average length. */
function oneWordAgainstLongMemory(): Figure {
  const index = new LexicalIndex();
  retrievalDataset(999, 3).memories.forEach((text, i) => index.add(i, text));
  const long =
    'On the drive back from the conference we talked about budgets, hiring plans, the office move, ' +
    'quarterly targets, a new coffee machine and the holiday schedule for the whole team';
  index.add(1e9, long);
  const score = index.search(terms('coffee')).find((h) => h.id === 1e9)?.score ?? 0;
  return { name: 'one-word query ("coffee") against a 30-word memory that mentions it', value: { text: score.toFixed(3) }, target: '< 0.6', met: score < 0.6 };
}

async function searchLatency(size: number, target: number): Promise<Figure> {
  const dataset = retrievalDataset(size - 170, 5);
  const { provider } = await providerOver(dataset.memories.slice(0, size));
  const queries = dataset.queries.map((q) => q.query);
  const stats = await measure((run?: unknown) => provider.search(USER, queries[Math.floor(Math.random() * queries.length)]!, { limit: 10 }), {
    iterations: size >= 100_000 ? 300 : 1000,
    warmup: 50,
  });
  return { name: `search p99, ${size.toLocaleString('en')} memories (v2 in-memory)`, value: stats, target: `p99 < ${target} ms`, met: stats.p99Ms < target };
}

async function tokenizationThroughput(): Promise<Figure> {
  const texts = retrievalDataset(20_000, 9).memories;
  const batch = 2_000;
  const pair = await comparePair({
    name: `terms() v${TERMS_VERSION}, ${batch.toLocaleString('en')} memories per run`,
    baselineName: 'v1 tokenizer',
    baseline: (run) => {
      for (let i = 0; i < batch; i++) termsV1(texts[(run * batch + i) % texts.length]!);
    },
    candidate: (run) => {
      for (let i = 0; i < batch; i++) terms(texts[(run * batch + i) % texts.length]!);
    },
    iterations: 200,
  });
  const perSecond = (ms: number) => `${Math.round((batch / ms) * 1000).toLocaleString('en')} memories/s`;
  return {
    name: pair.name,
    value: { text: perSecond(pair.candidate.medianMs) },
    baselineName: pair.baselineName,
    baseline: { text: perSecond(pair.baseline.medianMs) },
    ratio: pair.medianRatio,
  };
}

const quality = retrievalDataset(2_000);
printFigures(
  `Retrieval quality: ${quality.queries.length} labelled queries over ${quality.memories.length.toLocaleString('en')} memories (v${TERMS_VERSION} beside v1)`,
  await retrievalQuality(quality),
);
printFigures('Score calibration (labelled pairs)', [...[1, 10, 1_000, 100_000].flatMap(calibration), oneWordAgainstLongMemory()]);
printFigures('Search latency and tokenization', [await searchLatency(10_000, 2), await searchLatency(100_000, 20), await tokenizationThroughput()]);
