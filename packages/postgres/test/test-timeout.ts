import { availableParallelism, loadavg } from 'node:os';

/**
 * How long a test may take before it counts as hung: two minutes on idle cores, times how many
 * runnable processes share each core when the run starts. PGlite runs its WASM on the test's own
 * thread, so on a loaded 2-core machine one add-then-get took 49 s and the HNSW comparison 66 s;
 * a timeout is only a hang guard here, never a speed check.
 */
export const TEST_TIMEOUT_MS = 120_000 * Math.max(1, Math.ceil(loadavg()[0]! / availableParallelism()));

/** How long a test's pool waits for a connection: a loaded machine took more than the default 10 s. */
export const CONNECTION_TIMEOUT_MS = TEST_TIMEOUT_MS / 4;
