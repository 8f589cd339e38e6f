import type { MemoryProvider } from './spec/memory-provider.js';

export type MemoryOperation = 'add' | 'search' | 'getAll' | 'get' | 'delete' | 'deleteAll' | 'update' | 'history';

export interface MemoryOperationEvent {
  operation: MemoryOperation;
  provider: string;
  durationMs: number;
  outcome: 'success' | 'error';
  /** The error's class name when the outcome is `error`, e.g. `ProviderUnavailableError`. */
  errorType?: string;
  /**
   * On success: memories returned (search, getAll, get), deleted (deleteAll), or written (add and
   * delete: 1).
   */
  recordCount?: number;
}

/** What is known as a call starts. */
export interface MemoryOperationStart {
  operation: MemoryOperation;
  provider: string;
}

/** One call in flight, for recorders that trace: the call runs inside `run`, then `end` gets its event. */
export interface MemoryOperationTrace {
  run<T>(call: () => T): T;
  end(event: MemoryOperationEvent): void;
}

/**
 * What a background write queue reports: `depth` whenever its size changes, `dropped` for each
 * write it had to give up because it was full.
 */
export interface WriteQueueEvent {
  kind: 'depth' | 'dropped';
  /** Writes waiting or in flight after the change. */
  depth: number;
}

/**
 * A request the App refused so one user cannot crowd out the others: over the user's request rate
 * (`requests`) or storage quota (`memories`, `bytes`).
 */
export interface RefusalEvent {
  reason: 'rate_limited' | 'quota_exceeded';
  limit: 'requests' | 'memories' | 'bytes';
}

/** Receives one event per provider call. Keep it cheap: it runs on every call. */
export interface MetricsRecorder {
  record(event: MemoryOperationEvent): void;
  /** Optional: the App's write-behind queue reports its depth and drops here. */
  recordWriteQueue?(event: WriteQueueEvent): void;
  /** Optional: the App reports each request it refused for a per-user rate limit or quota. */
  recordRefusal?(event: RefusalEvent): void;
  /**
   * Optional, for tracing (a span per call): called as a call starts, so the provider's own work
   * (an HTTP request's span) nests under it. `record` still gets every event.
   */
  startOperation?(start: MemoryOperationStart): MemoryOperationTrace | undefined;
}

const OPERATIONS: readonly MemoryOperation[] = ['add', 'search', 'getAll', 'get', 'delete', 'deleteAll', 'update', 'history'];

function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

function recordCountOf(operation: MemoryOperation, result: unknown): number | undefined {
  switch (operation) {
    case 'search':
    case 'history':
      return Array.isArray(result) ? result.length : undefined;
    case 'getAll':
      return (result as { memories?: unknown[] } | undefined)?.memories?.length;
    case 'get':
      return result ? 1 : 0;
    case 'deleteAll':
      return typeof result === 'number' ? result : undefined;
    default:
      return 1;
  }
}

/** Hands the event to the trace and the recorder; either one throwing is ignored. */
function report(recorder: MetricsRecorder, trace: MemoryOperationTrace | undefined, event: MemoryOperationEvent): void {
  try {
    trace?.end(event);
  } catch {
    // Metrics are best effort by design.
  }
  try {
    recorder.record(event);
  } catch {
    // Metrics are best effort by design.
  }
}

/**
 * Runs one provider call as `withMetrics` does: inside the recorder's trace when it has one, then
 * reports its event. For code that meters a call of its own (a read under a time budget). A
 * recorder that throws is ignored.
 */
export async function meterOperation<T>(
  recorder: MetricsRecorder,
  start: MemoryOperationStart,
  call: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let trace: MemoryOperationTrace | undefined;
  try {
    trace = recorder.startOperation?.(start);
  } catch {
    // Metrics are best effort by design.
  }
  // Events are built field by field: spreading `start` (and a conditional spread) costs several
  // times the rest of the wrapper, on every provider call.
  try {
    const result = await (trace ? trace.run(call) : call());
    const event: MemoryOperationEvent = {
      operation: start.operation,
      provider: start.provider,
      durationMs: performance.now() - started,
      outcome: 'success',
    };
    const recordCount = recordCountOf(start.operation, result);
    if (recordCount !== undefined) event.recordCount = recordCount;
    report(recorder, trace, event);
    return result;
  } catch (error) {
    report(recorder, trace, {
      operation: start.operation,
      provider: start.provider,
      durationMs: performance.now() - started,
      outcome: 'error',
      errorType: errorTypeOf(error),
    });
    throw error;
  }
}

/**
 * Wraps a provider so every call reports its operation, duration and outcome to the recorder.
 * A recorder that throws is ignored: metrics never break a memory call.
 */
export function withMetrics<P extends MemoryProvider>(provider: P, recorder: MetricsRecorder): MemoryProvider {
  const wrapped: Partial<Record<MemoryOperation, unknown>> = {};
  for (const operation of OPERATIONS) {
    // `update` and `history` are optional: a provider without them stays without them.
    if (typeof provider[operation] !== 'function') continue;
    const call = (provider[operation] as (...args: unknown[]) => Promise<unknown>).bind(provider);
    wrapped[operation] = (...args: unknown[]) =>
      meterOperation(recorder, { operation, provider: provider.provider }, () => call(...args));
  }
  return {
    specificationVersion: provider.specificationVersion,
    provider: provider.provider,
    capabilities: provider.capabilities,
    ...(wrapped as Pick<MemoryProvider, Exclude<MemoryOperation, 'update' | 'history'>>),
  };
}
