import { MemoryValidationError } from '@fastagentic/memory';

const PREFIX = 'mem0:';

/** The opaque `nextCursor` of a page: the offset of the next memory in newest-first order. */
export function encodePageCursor(offset: number): string {
  return `${PREFIX}${offset}`;
}

export function decodePageCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = cursor.startsWith(PREFIX) ? Number(cursor.slice(PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new MemoryValidationError('options.cursor', 'is not a nextCursor returned by this provider');
  }
  return offset;
}
