import * as z from 'zod/mini';
import { MEMORY_LIMITS } from './memory-limits.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

export const jsonValueSchema = z.json();

/** Metadata holds JSON values only, so it survives every backend and the wire unchanged. */
export const metadataSchema = z.record(z.string().check(z.minLength(1)), jsonValueSchema);
export type Metadata = Record<string, JsonValue>;

export const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const messageSchema = z.object({
  role: messageRoleSchema,
  content: z.string().check(z.minLength(1), z.maxLength(MEMORY_LIMITS.maxContentLength)),
  name: z.optional(z.string().check(z.minLength(1))),
});
export interface Message {
  role: MessageRole;
  content: string;
  name?: string;
}

export const memorySchema = z.object({
  id: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
  memory: z.string(),
  metadata: metadataSchema,
  categories: z.optional(z.array(z.string())),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  score: z.optional(z.number().check(z.gte(0), z.lte(1))),
});
/** One stored memory. Times are ISO 8601 strings; `score` is set on search results only, in [0, 1]. */
export interface Memory {
  id: string;
  userId: string;
  memory: string;
  metadata: Metadata;
  categories?: string[];
  createdAt: string;
  updatedAt: string;
  score?: number;
}

export const limitSchema = z.number().check(z.int(), z.gte(1), z.lte(MEMORY_LIMITS.maxLimit));
export const minRelevanceSchema = z.number().check(z.gte(0), z.lte(1));

const filterSchema = z.record(z.string(), z.unknown());

/** Shape of SearchOptions. Full validation, with field names in errors, is `parseSearchOptions`. */
export const searchOptionsSchema = z.object({
  limit: z.optional(limitSchema),
  filters: z.optional(filterSchema),
  minRelevance: z.optional(minRelevanceSchema),
});

/** Shape of GetAllOptions. Full validation, with field names in errors, is `parseGetAllOptions`. */
export const getAllOptionsSchema = z.object({
  limit: z.optional(limitSchema),
  filters: z.optional(filterSchema),
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const memoryPageSchema = z.object({
  memories: z.array(memorySchema),
  nextCursor: z.nullable(z.string().check(z.minLength(1))),
});
