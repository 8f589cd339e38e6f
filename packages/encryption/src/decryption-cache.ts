interface Entry<T> {
  userId: string;
  recordId: string;
  value: T;
}

/**
 * What was decrypted, by envelope, least recently used dropped first. Envelopes are unique
 * (random IV), and a hit counts only for the user and record id the envelope was
 * authenticated under, so a ciphertext moved elsewhere still goes through decryption and fails.
 */
export class DecryptionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly capacity: number) {}

  get(envelope: string, userId: string, recordId: string): T | undefined {
    const entry = this.entries.get(envelope);
    if (entry === undefined || entry.userId !== userId || entry.recordId !== recordId) return undefined;
    this.entries.delete(envelope);
    this.entries.set(envelope, entry);
    return entry.value;
  }

  set(envelope: string, userId: string, recordId: string, value: T): void {
    if (this.capacity === 0) return;
    this.entries.delete(envelope);
    this.entries.set(envelope, { userId, recordId, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
