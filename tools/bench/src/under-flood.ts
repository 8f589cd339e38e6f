import { formatDuration, type Stats, summarize } from './measure.js';
import type { Figure } from './print-figures.js';

export interface UnderFloodOptions {
  /** One request of the user being served, e.g. another user's one-memory list. */
  victim: () => Promise<unknown>;
  /** One worst-case request of the flooding user; what it throws is counted, not fatal. */
  attack: (run: number) => Promise<unknown>;
  /** Attack loops running at once. Default 4. */
  loops?: number;
  /** Victim requests timed with no flood, first. Default 200. */
  quietRuns?: number;
  /** How long the flood runs while the victim is timed. Default 10 s. */
  floodMs?: number;
  /** Another request timed the same way (Redis PING), quiet and flooded. */
  probe?: () => Promise<unknown>;
}

export interface UnderFloodResult {
  quiet: Stats;
  flooded: Stats;
  /** The slowest victim request while the flood ran. */
  floodedMaxMs: number;
  probeQuiet?: Stats;
  probeFlooded?: Stats;
  attacks: number;
  attackErrors: number;
}

/**
 * The victim's latency alone, then while `loops` loops send the attack back to back (the victim's
 * requests one after another meanwhile, a millisecond apart): how much one user's worst-case
 * requests slow another user's, in the same run.
 */
export async function underFlood(options: UnderFloodOptions): Promise<UnderFloodResult> {
  const timed = async (run: () => Promise<unknown>, samples: number[]) => {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
  const quiet: number[] = [];
  const probeQuiet: number[] = [];
  for (let i = 0; i < 20; i++) await options.victim();
  for (let i = 0; i < (options.quietRuns ?? 200); i++) {
    await timed(options.victim, quiet);
    if (options.probe) await timed(options.probe, probeQuiet);
    await pause();
  }
  let flooding = true;
  let started = 0;
  let attacks = 0;
  let attackErrors = 0;
  const loops = Array.from({ length: options.loops ?? 4 }, async () => {
    while (flooding) {
      try {
        // Numbered as they start, so the loops alternate kinds of attack as the caller asks.
        await options.attack(started++);
      } catch {
        attackErrors++;
      }
      attacks++;
      // As a request from a socket would: a store answering in microtasks (a local file) must
      // not starve the victim's timers in this one process.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  });
  const flooded: number[] = [];
  const probeFlooded: number[] = [];
  const end = performance.now() + (options.floodMs ?? 10_000);
  while (performance.now() < end) {
    await timed(options.victim, flooded);
    if (options.probe) await timed(options.probe, probeFlooded);
    await pause();
  }
  flooding = false;
  await Promise.all(loops);
  const result: UnderFloodResult = {
    quiet: summarize(quiet),
    flooded: summarize(flooded),
    floodedMaxMs: Math.max(...flooded),
    attacks,
    attackErrors,
  };
  if (options.probe) {
    result.probeQuiet = summarize(probeQuiet);
    result.probeFlooded = summarize(probeFlooded);
  }
  return result;
}

/** The figures of a search flood as the store READMEs show them: the victim flooded beside quiet, and the attacks run. */
export function floodFigures(result: UnderFloodResult): Figure[] {
  return [
    {
      name: `another user's getAll (one memory) while 4 loops flood common-word searches (limit 1000, every other one with the filter bomb) over 20,000 memories; slowest ${formatDuration(result.floodedMaxMs)}`,
      value: result.flooded,
      baselineName: 'the same getAll with no flood',
      baseline: result.quiet,
      target: 'median <= 3x quiet, none over 1 s',
      met: result.flooded.medianMs <= 3 * result.quiet.medianMs && result.floodedMaxMs < 1_000,
    },
    {
      name: 'flooding searches run (of them refused with the search budget error)',
      value: { text: `${result.attacks} (${result.attackErrors})` },
      target: 'reported',
    },
  ];
}
