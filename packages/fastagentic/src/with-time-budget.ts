import { ProviderUnavailableError, type MemoryProvider } from '@fastagentic/memory';

/**
 * Wraps a provider so that `search` and `getAll` give up after `budgetMs`: the call is aborted and
 * rejects with a retryable ProviderUnavailableError. Used on the chat path, where a slow backend
 * must not hold up the reply; writes are left alone because they run after the reply.
 */
export function withTimeBudget(provider: MemoryProvider, budgetMs: number): MemoryProvider {
  const bounded = <A extends unknown[], R>(call: (...args: A) => Promise<R>, optionsIndex: number) =>
    (...args: A): Promise<R> => {
      const options = (args[optionsIndex] ?? {}) as { signal?: AbortSignal };
      const controller = new AbortController();
      const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
      const callArgs = [...args] as unknown[];
      callArgs[optionsIndex] = { ...options, signal };
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          const error = new ProviderUnavailableError(provider.provider, `no answer within ${budgetMs} ms`, {
            isRetryable: true,
          });
          controller.abort(error);
          reject(error);
        }, budgetMs);
        call(...(callArgs as A)).then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    };
  return {
    specificationVersion: provider.specificationVersion,
    provider: provider.provider,
    capabilities: provider.capabilities,
    add: provider.add.bind(provider),
    search: bounded(provider.search.bind(provider), 2),
    getAll: bounded(provider.getAll.bind(provider), 1),
    get: provider.get.bind(provider),
    delete: provider.delete.bind(provider),
    deleteAll: provider.deleteAll.bind(provider),
  };
}
