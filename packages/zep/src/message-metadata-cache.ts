import type { Metadata } from '@fastagentic/memory';

/**
 * Metadata of the messages the adapter wrote, by message uuid, per Zep user. A message's
 * metadata never changes, so entries are never stale; the bounds only cap memory use.
 */
export class MessageMetadataCache {
  private readonly users = new Map<string, Map<string, Metadata>>();

  constructor(
    private readonly maxUsers = 1_000,
    private readonly maxMessagesPerUser = 10_000,
  ) {}

  get(zepUserId: string, messageUuid: string): Metadata | undefined {
    return this.users.get(zepUserId)?.get(messageUuid);
  }

  set(zepUserId: string, messageUuid: string, metadata: Metadata): void {
    let messages = this.users.get(zepUserId);
    if (messages === undefined) {
      if (this.users.size >= this.maxUsers) this.users.delete(this.users.keys().next().value!);
      messages = new Map();
      this.users.set(zepUserId, messages);
    }
    if (messages.size >= this.maxMessagesPerUser) messages.delete(messages.keys().next().value!);
    messages.set(messageUuid, metadata);
  }

  forget(zepUserId: string): void {
    this.users.delete(zepUserId);
  }
}
