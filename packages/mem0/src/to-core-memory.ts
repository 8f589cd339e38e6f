import type { Memory, Metadata } from '@fastagentic/memory';
import { categoriesFromMetadata } from '@fastagentic/memory/provider';

/** A memory as mem0ai returns it (camelCase keys, metadata as stored). */
export interface Mem0Record {
  id: string;
  memory?: string | null;
  metadata?: Metadata | null;
  categories?: string[] | null;
  createdAt?: string | Date | null;
  updatedAt?: string | Date | null;
  score?: number | null;
}

// Already what toISOString() returns: kept as is (normalising every timestamp is most of the mapping cost).
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isoTime(value: string | Date | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' && CANONICAL_UTC.test(value)) return value;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Clamps a backend similarity into the core's [0, 1] (cosine similarity can dip below 0). */
export function clampScore(score: number | null | undefined): number {
  if (typeof score !== 'number' || Number.isNaN(score)) return 0;
  return Math.min(1, Math.max(0, score));
}

/**
 * The core's Memory for a Mem0 record. `userId` is the caller's id (Mem0 holds its escaped form).
 * Categories are Mem0's own plus the spec's metadata.category / metadata.categories.
 */
export function toCoreMemory(record: Mem0Record, userId: string, withScore: boolean): Memory {
  const metadata = record.metadata ?? {};
  const categories = new Set([...(record.categories ?? []), ...(categoriesFromMetadata(metadata) ?? [])]);
  const createdAt = isoTime(record.createdAt) ?? new Date(0).toISOString();
  const memory: Memory = {
    id: record.id,
    userId,
    memory: record.memory ?? '',
    metadata,
    createdAt,
    updatedAt: isoTime(record.updatedAt) ?? createdAt,
  };
  if (categories.size > 0) memory.categories = [...categories];
  if (withScore) memory.score = clampScore(record.score);
  return memory;
}

/** Newest first, ties broken by id so pages never overlap. Times are UTC ISO strings, so text order is time order. */
export function newestFirst(a: Memory, b: Memory): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
