// tdigest ships no types; this is the part of its API the sliding window uses.
declare module 'tdigest' {
  export interface Centroid {
    mean: number;
    n: number;
  }
  export class TDigest {
    push(value: number): void;
    push_centroid(centroids: Centroid[]): void;
    toArray(): Centroid[];
    percentile(quantile: number): number | undefined;
    reset(): void;
    compress(): void;
  }
}
