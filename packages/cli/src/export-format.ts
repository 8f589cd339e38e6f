import { MemoryValidationError, type Memory, type Metadata } from '@fastagentic/memory';
import type { ScopeName } from './opened-store.js';

export const EXPORT_FORMAT = 'fastagentic-memory';
export const EXPORT_VERSION = 1;

/** The first line of an export. */
export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** ISO 8601 time the export started. */
  exportedAt: string;
  /** The store exported, without secrets. */
  source: string;
}

/** One memory: every line after the header. */
export interface MemoryRecord {
  type: 'memory';
  /** `memory` (long-term) or `session`. */
  store: ScopeName;
  userId: string;
  /** The id in the source store; an import keys its idempotent add on it. */
  id: string;
  text: string;
  metadata: Metadata;
  /** As the source reported them; an import derives categories from the metadata again. */
  categories?: string[];
  createdAt: string;
  updatedAt: string;
}

export function exportHeader(source: string, exportedAt = new Date()): ExportHeader {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: exportedAt.toISOString(), source };
}

export function recordOf(memory: Memory, store: ScopeName): MemoryRecord {
  const record: MemoryRecord = {
    type: 'memory',
    store,
    userId: memory.userId,
    id: memory.id,
    text: memory.memory,
    metadata: memory.metadata,
    createdAt: memory.createdAt,
    updatedAt: memory.updatedAt,
  };
  if (memory.categories !== undefined) record.categories = memory.categories;
  return record;
}

/** Checks the header line; any other format or version is refused before anything is written. */
export function parseHeader(line: string | undefined): ExportHeader {
  const value = parseLine(line ?? '', 1);
  if (value.format !== EXPORT_FORMAT) throw new MemoryValidationError('line 1.format', `expected "${EXPORT_FORMAT}": not an export of this tool`);
  if (value.version !== EXPORT_VERSION) throw new MemoryValidationError('line 1.version', `this tool reads version ${EXPORT_VERSION}, the file is ${JSON.stringify(value.version)}`);
  return value as unknown as ExportHeader;
}

/** Checks one record line; errors name the line and the field. */
export function parseRecord(line: string, lineNumber: number): MemoryRecord {
  const value = parseLine(line, lineNumber);
  const field = (name: string) => `line ${lineNumber}.${name}`;
  if (value.type !== 'memory') throw new MemoryValidationError(field('type'), 'expected "memory"');
  if (value.store !== 'memory' && value.store !== 'session') throw new MemoryValidationError(field('store'), 'expected "memory" or "session"');
  for (const name of ['userId', 'id', 'text', 'createdAt', 'updatedAt'] as const) {
    if (typeof value[name] !== 'string') throw new MemoryValidationError(field(name), 'expected a string');
  }
  if (typeof value.metadata !== 'object' || value.metadata === null || Array.isArray(value.metadata)) {
    throw new MemoryValidationError(field('metadata'), 'expected an object');
  }
  return value as unknown as MemoryRecord;
}

function parseLine(line: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new MemoryValidationError(`line ${lineNumber}`, 'not a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MemoryValidationError(`line ${lineNumber}`, 'not a JSON object');
  return value as Record<string, unknown>;
}
