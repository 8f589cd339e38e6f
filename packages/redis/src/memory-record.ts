import { MemoryValidationError, type Memory, type Metadata } from '@fastagentic/memory';

/** A memory as stored in the user's hash. The user id is the key's, so it is not repeated. */
export interface MemoryRecord {
  /** Microseconds since the epoch, unique per user: the timeline score and the creation time. */
  seq: number;
  /** Milliseconds since the epoch of the latest update; absent until the memory is updated. */
  updated?: number;
  id: string;
  memory: string;
  metadata: Metadata;
  categories?: string[];
  /** The embedding as base64 of little-endian float32s. */
  vector?: string;
  /** The terms entry of the add's supplied `indexTerms`, kept so a re-index rebuilds it as given. */
  suppliedTerms?: string;
}

/** The JSON the add (and update) script stores once it has put the sequence (and update time) in front. */
export function encodeRecordBody(record: Omit<MemoryRecord, 'seq' | 'updated'>): string {
  return JSON.stringify(record);
}

/**
 * Records come back as JSON strings, or already parsed when an @upstash/redis client keeps its
 * default automatic deserialization; both are accepted.
 */
export function decodeRecord(raw: unknown): MemoryRecord | undefined {
  if (raw === null || raw === undefined || raw === false) return undefined;
  return (typeof raw === 'string' ? JSON.parse(raw) : raw) as MemoryRecord;
}

export function decodeRecords(raw: unknown): MemoryRecord[] {
  if (!Array.isArray(raw)) return [];
  const records: MemoryRecord[] = [];
  for (const item of raw) {
    const record = decodeRecord(item);
    if (record) records.push(record);
  }
  return records;
}

export function toMemory(record: MemoryRecord, userId: string, score?: number): Memory {
  const createdAt = new Date(Math.floor(record.seq / 1000)).toISOString();
  const memory: Memory = {
    id: record.id,
    userId,
    memory: record.memory,
    metadata: record.metadata,
    createdAt,
    updatedAt: record.updated === undefined ? createdAt : new Date(record.updated).toISOString(),
  };
  if (record.categories) memory.categories = record.categories;
  if (score !== undefined) memory.score = score;
  return memory;
}

export function encodeVector(vector: readonly number[]): string {
  const bytes = new Uint8Array(Float32Array.from(vector).buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function decodeVector(encoded: string): Float32Array {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

const CURSOR = /^r1\.(\d{1,16})$/;

export function encodeCursor(seq: number): string {
  return `r1.${seq}`;
}

export function decodeCursor(cursor: string): number {
  const match = CURSOR.exec(cursor);
  if (!match) throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider');
  return Number(match[1]);
}
