/** A write refused because the user already holds as many memories, or bytes, as the quota allows. */
export class QuotaExceededError extends Error {
  constructor(
    /** The limit reached. */
    readonly limit: 'memories' | 'bytes',
    /** The quota: memories, or UTF-8 bytes of text and metadata, per user. */
    readonly max: number,
  ) {
    super(
      limit === 'memories'
        ? `Storage quota reached: at most ${max} memories per user; delete some to store more`
        : `Storage quota reached: at most ${max} bytes of memories per user; delete some to store more`,
    );
    this.name = 'QuotaExceededError';
  }
}
