import cliProgress from 'cli-progress';

/** Progress of long work on stderr: count, rate and ETA; silent when stderr is not a terminal or the output is JSON. */
export interface ProgressBar {
  update(done: number): void;
  stop(): void;
}

const SILENT: ProgressBar = { update: () => undefined, stop: () => undefined };

export function startProgressBar(label: string, total: number | undefined, enabled: boolean): ProgressBar {
  if (!enabled) return SILENT;
  const known = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: known
        ? `${label} {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`
        : `${label} {value} | {rate}/s`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = performance.now();
  bar.start(known ? total : 0, 0, { rate: 0 });
  return {
    update: (done) => {
      const seconds = (performance.now() - startedAt) / 1000;
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
