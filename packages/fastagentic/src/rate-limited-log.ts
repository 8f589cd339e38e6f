interface Window {
  /** When the window's first line was written. */
  at: number;
  suppressed: number;
  /** The details of the last line counted, written with the count when the window ends. */
  details: Record<string, unknown>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Repeated log lines of one kind collapse to one line per interval with a count, so an outage
 * writes a handful of lines instead of one per failed write. The first line of a kind is written
 * at once; when a window ends with lines counted, one more line says how many (its last details
 * with `repeatedSinceLastLine`), so the count of the last window is never lost.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly emit: (key: string, details: Record<string, unknown>) => void,
    private readonly intervalMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs now if no line of this kind went out within the interval, else counts it for the window's closing line. */
  log(key: string, details: Record<string, unknown>): void {
    const now = this.now();
    const window = this.windows.get(key);
    if (window !== undefined && now - window.at < this.intervalMs) {
      window.suppressed++;
      window.details = details;
      window.timer ??= this.closeLater(key, window, window.at + this.intervalMs - now);
      return;
    }
    if (window !== undefined) this.close(key, window);
    this.windows.set(key, { at: now, suppressed: 0, details, timer: undefined });
    this.emit(key, details);
  }

  /** Writes the count of every open window now (call it on shutdown). */
  flush(): void {
    for (const [key, window] of this.windows) this.close(key, window);
    this.windows.clear();
  }

  private closeLater(key: string, window: Window, afterMs: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      if (this.windows.get(key) === window) this.windows.delete(key);
      this.close(key, window);
    }, afterMs);
    // On Node a pending count must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }

  private close(key: string, window: Window): void {
    clearTimeout(window.timer);
    window.timer = undefined;
    if (window.suppressed === 0) return;
    const repeated = window.suppressed;
    window.suppressed = 0;
    this.emit(key, { ...window.details, repeatedSinceLastLine: repeated });
  }
}
