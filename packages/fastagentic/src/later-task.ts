import { delay } from '@fastagentic/memory/provider';

/** The next macrotask: setImmediate where it exists (Node), else a zero timer (Workers, browsers). */
export function laterTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return immediate ? new Promise((resolve) => immediate(() => resolve())) : delay(0);
}
