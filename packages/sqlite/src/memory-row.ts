import { MemoryValidationError, type Memory, type MemoryEvent, type MemoryHistoryEntry, type Metadata } from '@fastagentic/memory';

/** The columns every read of whole memories selects, in this order. */
export const MEMORY_COLUMNS = 'seq, id, content, metadata, categories, created_at, updated_at';

export interface MemoryRow {
  seq: number;
  memory: Memory;
}

export function decodeMemoryRow(row: readonly unknown[], userId: string): MemoryRow {
  const createdAt = new Date(Number(row[5])).toISOString();
  const memory: Memory = {
    id: String(row[1]),
    userId,
    memory: String(row[2]),
    metadata: JSON.parse(String(row[3])) as Metadata,
    createdAt,
    updatedAt: row[6] === null || row[6] === undefined ? createdAt : new Date(Number(row[6])).toISOString(),
  };
  if (row[4] !== null && row[4] !== undefined) memory.categories = JSON.parse(String(row[4])) as string[];
  return { seq: Number(row[0]), memory };
}

/** The columns a read of history selects, in this order. */
export const HISTORY_COLUMNS = 'memory_id, event, previous_text, text, metadata, at, reason';

export function decodeHistoryRow(row: readonly unknown[]): MemoryHistoryEntry {
  const entry: MemoryHistoryEntry = {
    memoryId: String(row[0]),
    event: String(row[1]) as MemoryEvent,
    previousText: row[2] === null || row[2] === undefined ? null : String(row[2]),
    text: row[3] === null || row[3] === undefined ? null : String(row[3]),
    metadata: row[4] === null || row[4] === undefined ? null : (JSON.parse(String(row[4])) as Metadata),
    at: new Date(Number(row[5])).toISOString(),
  };
  if (row[6] !== null && row[6] !== undefined) entry.reason = String(row[6]);
  return entry;
}

/** Term → how often it occurs, as the JSON object the postings are inserted from. */
export function termFrequencies(memoryTerms: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const term of memoryTerms) counts[term] = (counts[term] ?? 0) + 1;
  return counts;
}

/** Vectors as BLOBs of float32s: 4 bytes a dimension, read back without decoding text. */
export function encodeVector(vector: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(vector).buffer);
}

/** Clients return a BLOB as an ArrayBuffer (libSQL), a typed array, or an array of bytes (D1). */
export function decodeVector(stored: unknown): Float32Array {
  if (stored instanceof ArrayBuffer) return new Float32Array(stored.slice(0, stored.byteLength - (stored.byteLength % 4)));
  const bytes = ArrayBuffer.isView(stored)
    ? new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)
    : Uint8Array.from(stored as ArrayLike<number>);
  return new Float32Array(bytes.slice(0, bytes.length - (bytes.length % 4)).buffer);
}

const CURSOR = /^s1\.(\d{1,16})$/;

export function encodeCursor(seq: number): string {
  return `s1.${seq}`;
}

export function decodeCursor(cursor: string): number {
  const match = CURSOR.exec(cursor);
  if (!match) throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider');
  return Number(match[1]);
}
