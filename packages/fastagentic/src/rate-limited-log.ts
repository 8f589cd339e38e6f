/**
 * Repeated log lines of one kind collapse to one line per interval with a count, so an outage
 * writes a handful of lines instead of one per failed write.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly emit: (key: string, details: Record<string, unknown>) => void,
    private readonly intervalMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs now if no line of this kind went out within the interval, else counts it for the next line. */
  log(key: string, details: Record<string, unknown>): void {
    const now = this.now();
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const repeated = seen?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.emit(key, repeated > 0 ? { ...details, repeatedSinceLastLine: repeated } : details);
  }
}
