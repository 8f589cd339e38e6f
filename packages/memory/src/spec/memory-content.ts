import type { Message, Metadata } from './schemas.js';

/**
 * The text stored for an `add` by providers that keep messages verbatim: the content alone for
 * one message, `role: content` lines for a conversation so the speaker is not lost.
 */
export function messagesToMemoryText(messages: readonly Message[]): string {
  if (messages.length === 1) return messages[0]!.content;
  return messages.map((message) => `${message.role}: ${message.content}`).join('\n');
}

/**
 * Categories as the spec stores them: `metadata.category` (one) and/or `metadata.categories`
 * (several strings). Undefined when the metadata names none.
 */
export function categoriesFromMetadata(metadata: Metadata): string[] | undefined {
  const found = new Set<string>();
  if (typeof metadata.category === 'string') found.add(metadata.category);
  if (Array.isArray(metadata.categories)) {
    for (const item of metadata.categories) if (typeof item === 'string') found.add(item);
  }
  return found.size === 0 ? undefined : [...found];
}
