import type { MemoryOperation } from '@fastagentic/memory';

/**
 * Names from the OpenTelemetry GenAI semantic conventions for memory (status: Development, so
 * they may still change). `@opentelemetry/semantic-conventions` marks its `gen_ai.*` constants
 * as moved to the GenAI conventions, so the few used here are defined locally.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_MEMORY_STORE_ID = 'gen_ai.memory.store.id';
export const ATTR_GEN_AI_MEMORY_RECORD_COUNT = 'gen_ai.memory.record.count';
/** Stable in the general conventions. */
export const ATTR_ERROR_TYPE = 'error.type';

/** Ours, for what the conventions do not name: the backend (`redis`, `mem0`, ...) and the interface's operation. */
export const ATTR_MEMORY_PROVIDER = 'fastagentic.memory.provider';
export const ATTR_MEMORY_OPERATION = 'fastagentic.memory.operation';

/**
 * `gen_ai.operation.name` for the operations the conventions define. `get`, `getAll` and `history`
 * read by id or list without a query: the conventions have no operation for them, so they get none.
 */
export const GEN_AI_MEMORY_OPERATION_NAMES: Readonly<Partial<Record<MemoryOperation, string>>> = Object.freeze({
  search: 'search_memory',
  add: 'create_memory',
  update: 'update_memory',
  delete: 'delete_memory',
  deleteAll: 'delete_memory',
});
