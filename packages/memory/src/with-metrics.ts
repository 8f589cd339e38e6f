import type { MemoryProvider } from './spec/memory-provider.js';

export type MemoryOperation = 'add' | 'search' | 'getAll' | 'get' | 'delete' | 'deleteAll';

export interface MemoryOperationEvent {
  operation: MemoryOperation;
  provider: string;
  durationMs: number;
  outcome: 'success' | 'error';
  /** The error's class name when the outcome is `error`, e.g. `ProviderUnavailableError`. */
  errorType?: string;
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

/** Receives one event per provider call. Keep it cheap: it runs on every call. */
export interface MetricsRecorder {
  record(event: MemoryOperationEvent): void;
  /** Optional: the App's write-behind queue reports its depth and drops here. */
  recordWriteQueue?(event: WriteQueueEvent): void;
}

const OPERATIONS: readonly MemoryOperation[] = ['add', 'search', 'getAll', 'get', 'delete', 'deleteAll'];

function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

/**
 * Wraps a provider so every call reports its operation, duration and outcome to the recorder.
 * A recorder that throws is ignored: metrics never break a memory call.
 */
export function withMetrics<P extends MemoryProvider>(provider: P, recorder: MetricsRecorder): MemoryProvider {
  const report = (event: MemoryOperationEvent) => {
    try {
      recorder.record(event);
    } catch {
      // Metrics are best effort by design.
    }
  };
  const wrapped: Partial<Record<MemoryOperation, unknown>> = {};
  for (const operation of OPERATIONS) {
    const call = (provider[operation] as (...args: unknown[]) => Promise<unknown>).bind(provider);
    wrapped[operation] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await call(...args);
        report({ operation, provider: provider.provider, durationMs: performance.now() - started, outcome: 'success' });
        return result;
      } catch (error) {
        report({
          operation,
          provider: provider.provider,
          durationMs: performance.now() - started,
          outcome: 'error',
          errorType: errorTypeOf(error),
        });
        throw error;
      }
    };
  }
  return {
    specificationVersion: provider.specificationVersion,
    provider: provider.provider,
    capabilities: provider.capabilities,
    ...(wrapped as Pick<MemoryProvider, MemoryOperation>),
  };
}
