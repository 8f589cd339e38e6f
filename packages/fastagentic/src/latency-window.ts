import type { MemoryOperation, MemoryOperationEvent, MetricsRecorder } from '@fastagentic/memory';

/** Latency of one operation of one provider over the latest calls. */
export interface OperationLatency {
  provider: string;
  operation: MemoryOperation;
  /** Calls in the window (at most its size), and how many of them failed. */
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * Set on the row of a provider's first call, kept apart from its operation's row: that call
   * opens the store (a connection, the schema check), hundreds of milliseconds that would
   * otherwise dominate the percentiles of the warm calls.
   */
  firstCall?: true;
}

const DEFAULT_WINDOW_SIZE = 512;

interface Ring {
  provider: string;
  operation: MemoryOperation;
  durations: number[];
  failed: boolean[];
  next: number;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 1000) / 1000;
}

/**
 * The latest `size` durations of each provider operation, in process: what the inspector shows.
 * Each provider's first call is a row of its own (`firstCall`). Recording is O(1) (a ring
 * buffer); percentiles are computed only when read.
 */
export class LatencyWindow {
  private readonly rings = new Map<string, Ring>();
  private readonly firstCalls = new Map<string, OperationLatency>();

  constructor(private readonly size = DEFAULT_WINDOW_SIZE) {}

  record(event: MemoryOperationEvent): void {
    if (!this.firstCalls.has(event.provider)) {
      const ms = percentile([event.durationMs], 50);
      this.firstCalls.set(event.provider, {
        provider: event.provider,
        operation: event.operation,
        calls: 1,
        errors: event.outcome === 'error' ? 1 : 0,
        p50Ms: ms,
        p95Ms: ms,
        p99Ms: ms,
        firstCall: true,
      });
      return;
    }
    const key = `${event.provider}\u0000${event.operation}`;
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = { provider: event.provider, operation: event.operation, durations: [], failed: [], next: 0 }));
    ring.durations[ring.next] = event.durationMs;
    ring.failed[ring.next] = event.outcome === 'error';
    ring.next = (ring.next + 1) % this.size;
  }

  snapshot(): OperationLatency[] {
    const warm = [...this.rings.values()].map((ring): OperationLatency => {
      const sorted = [...ring.durations].sort((a, b) => a - b);
      return {
        provider: ring.provider,
        operation: ring.operation,
        calls: sorted.length,
        errors: ring.failed.filter(Boolean).length,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        p99Ms: percentile(sorted, 99),
      };
    });
    return [...this.firstCalls.values(), ...warm];
  }
}

/** One recorder feeding the window and the app's own recorder (its tracing and queue hooks kept). */
export function withLatencyWindow(window: LatencyWindow, recorder: MetricsRecorder | undefined): MetricsRecorder {
  return {
    record(event) {
      window.record(event);
      recorder?.record(event);
    },
    ...(recorder?.recordWriteQueue ? { recordWriteQueue: recorder.recordWriteQueue.bind(recorder) } : {}),
    ...(recorder?.startOperation ? { startOperation: recorder.startOperation.bind(recorder) } : {}),
  };
}
