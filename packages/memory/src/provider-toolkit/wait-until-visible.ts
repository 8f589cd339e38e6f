import { delay } from './delay.js';

/**
 * `readYourWrites` for an eventually consistent backend: polls `isVisible` until it is true or
 * `timeoutMs` has passed. Resolves to whether the write became visible; running out of time is
 * not an error (the write was acknowledged), so an add resolves either way. Aborts reject.
 */
export async function waitUntilVisible(
  isVisible: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; signal?: AbortSignal | undefined },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await isVisible()) return true;
    if (Date.now() + options.intervalMs > deadline) return false;
    await delay(options.intervalMs, options.signal);
  }
}
