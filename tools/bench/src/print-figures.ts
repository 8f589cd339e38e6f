import { formatDuration, type Stats } from './measure.js';

/** One printed figure: a measurement, and the baseline it is judged against in the same run. */
export interface Figure {
  name: string;
  value: Stats | { text: string };
  baselineName?: string;
  baseline?: Stats | { text: string };
  /** Shown as `ratio` (e.g. 1.04x); computed from medians when both are Stats and this is omitted. */
  ratio?: number;
  /** The goal in words, e.g. `p99 < 5 ms` or `ratio <= 1.15`. */
  target?: string;
  /** Whether the target was met; printed as PASS or MISS. */
  met?: boolean;
}

function show(value: Stats | { text: string } | undefined): string {
  if (value === undefined) return '';
  if ('text' in value) return value.text;
  return `median ${formatDuration(value.medianMs)}, p99 ${formatDuration(value.p99Ms)}`;
}

/** Prints figures as a Markdown table, ready to paste into a README. */
export function printFigures(title: string, figures: Figure[]): void {
  const rows = figures.map((figure) => {
    let ratio = figure.ratio;
    if (ratio === undefined && figure.baseline && 'medianMs' in figure.value && 'medianMs' in figure.baseline) {
      ratio = figure.value.medianMs / figure.baseline.medianMs;
    }
    return [
      figure.name,
      show(figure.value),
      figure.baselineName ? `${figure.baselineName}: ${show(figure.baseline)}` : '',
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      figure.target ?? '',
      figure.met === undefined ? '' : figure.met ? 'PASS' : 'MISS',
    ];
  });
  const header = ['figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'result'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  console.log(`\n### ${title}\n\n${lines.join('\n')}\n`);
}
