/** The machine's shared Redis. Tests only touch keys under a prefix unique to the run. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `fastagentic-test:${label}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}
