import * as z from 'zod/mini';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** Metadata holds JSON values only, so it survives every backend and the wire unchanged. */
export type Metadata = Record<string, JsonValue>;

/** The roles `validateMessages` accepts. */
export const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export interface Message {
  role: MessageRole;
  content: string;
  name?: string;
}

/** What a provider returns for one memory; the conformance suite checks every result against it. */
export const memorySchema = z.object({
  id: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
  memory: z.string(),
  metadata: z.record(z.string(), z.json()),
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

/** What `getAll` returns. */
export const memoryPageSchema = z.object({
  memories: z.array(memorySchema),
  nextCursor: z.nullable(z.string().check(z.minLength(1))),
});
