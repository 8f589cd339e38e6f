/**
 * The metadata (as JSON text) of messages the adapter wrote or read, by message uuid, per Zep
 * user. A message's metadata never changes, so entries are never stale; the bounds only cap
 * memory use. Text rather than objects: parsing it gives every memory its own copy cheaply.
 */
export class MessageMetadataCache {
  private readonly users = new Map<string, Map<string, string>>();

  constructor(
    private readonly maxUsers = 1_000,
    private readonly maxMessagesPerUser = 10_000,
  ) {}

  get(zepUserId: string, messageUuid: string): string | undefined {
    return this.users.get(zepUserId)?.get(messageUuid);
  }

  set(zepUserId: string, messageUuid: string, metadataJson: string): void {
    let messages = this.users.get(zepUserId);
    if (messages === undefined) {
      if (this.users.size >= this.maxUsers) this.users.delete(this.users.keys().next().value!);
      messages = new Map();
      this.users.set(zepUserId, messages);
    }
    if (messages.size >= this.maxMessagesPerUser) messages.delete(messages.keys().next().value!);
    messages.set(messageUuid, metadataJson);
  }

  forget(zepUserId: string): void {
    this.users.delete(zepUserId);
  }
}
