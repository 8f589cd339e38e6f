export { formatDuration, measure, summarize, type MeasureOptions, type Stats } from './measure.js';
export { comparePair, type ComparePairOptions, type PairResult } from './compare-pair.js';
export { printFigures, type Figure } from './print-figures.js';
export { floodFigures, underFlood, type UnderFloodOptions, type UnderFloodResult } from './under-flood.js';
