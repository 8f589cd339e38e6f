import { MemoryConfigurationError } from '@fastagentic/memory';

export interface UserRateLimitOptions {
  /** Requests a user may make per second, sustained (the bucket's refill rate). */
  requestsPerSecond: number;
  /** Requests a user may make at once after a quiet spell (the bucket's size). */
  burst: number;
  /**
   * Users whose buckets are kept; past it the least recently seen user's bucket is dropped (that
   * user starts again with a full bucket). Default 100 000: a few MiB.
   */
  maxTrackedUsers?: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

const DEFAULT_MAX_TRACKED_USERS = 100_000;

/**
 * A token bucket per user, in this process (or Worker isolate). Each instance counts on its own,
 * so N instances let a user through at up to N times the rate; the bucket map is bounded, so many
 * users cannot make it grow without limit.
 */
export class UserRateLimiter {
  readonly requestsPerSecond: number;
  readonly burst: number;
  private readonly maxTrackedUsers: number;
  /** In order of last use, oldest first (a Map keeps insertion order; a hit re-inserts). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: UserRateLimitOptions) {
    const { requestsPerSecond, burst } = options;
    const maxTrackedUsers = options.maxTrackedUsers ?? DEFAULT_MAX_TRACKED_USERS;
    if (!(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
      throw new MemoryConfigurationError('rateLimit.requestsPerSecond', 'must be a positive number');
    }
    if (!(Number.isInteger(burst) && burst >= 1)) {
      throw new MemoryConfigurationError('rateLimit.burst', 'must be a positive integer');
    }
    if (!(Number.isInteger(maxTrackedUsers) && maxTrackedUsers >= 1)) {
      throw new MemoryConfigurationError('rateLimit.maxTrackedUsers', 'must be a positive integer');
    }
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.maxTrackedUsers = maxTrackedUsers;
  }

  /**
   * Takes one request from the user's bucket. Returns 0 when it may go ahead, else how many
   * milliseconds until the bucket holds a request again.
   */
  take(userId: string, now = Date.now()): number {
    let bucket = this.buckets.get(userId);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxTrackedUsers) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
    } else {
      this.buckets.delete(userId);
      bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.requestsPerSecond) / 1000);
      bucket.at = now;
    }
    this.buckets.set(userId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / this.requestsPerSecond);
  }
}
