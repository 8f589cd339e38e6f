import type { CallOptions, MemoryProvider } from './spec/memory-provider.js';

/**
 * Deletes everything a provider holds for a user (GDPR erasure) in the provider's own bulk
 * operation, not the spec's getAll-then-delete loop. Resolves to how many memories were deleted.
 */
export function forgetUser(provider: MemoryProvider, userId: string, options?: CallOptions): Promise<number> {
  return provider.deleteAll(userId, options);
}
