import { Mem0Provider } from '@fastagentic/mem0';
import { MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import { ZepProvider } from '@fastagentic/zep';
import type { OpenedStore, StoreScope } from './opened-store.js';
import type { StoreLocation } from './store-location.js';
import { encryptedAsServers, type StoreOptions } from './store-options.js';

/** Adds in flight at once against a hosted service (its rate limits answer 429, which is retried). */
const SERVICE_WRITE_CONCURRENCY = 4;

/**
 * Mem0 or Zep as the servers configure them (MEM0_API_KEY, MEM0_HOST, MEM0_INFER; ZEP_API_KEY,
 * ZEP_BASE_URL). Neither lists its users through this tool's interface, so commands name them
 * with `--user`; neither honours idempotency keys, so a repeated import stores again.
 */
export function openServiceStore(location: StoreLocation, options: StoreOptions): OpenedStore {
  const { env } = options;
  let raw: MemoryProvider;
  if (location.kind === 'mem0') {
    if (!env.MEM0_API_KEY) throw new MemoryConfigurationError('MEM0_API_KEY', `set it to use ${options.option} ${location.display}`);
    raw = new Mem0Provider({ apiKey: env.MEM0_API_KEY, baseUrl: location.url || env.MEM0_HOST, infer: env.MEM0_INFER !== 'false' });
  } else {
    if (!env.ZEP_API_KEY) throw new MemoryConfigurationError('ZEP_API_KEY', `set it to use ${options.option} ${location.display}`);
    raw = new ZepProvider({ apiKey: env.ZEP_API_KEY, baseUrl: location.url || env.ZEP_BASE_URL, autoSummarize: true });
  }
  const scope: StoreScope = {
    name: 'memory',
    provider: encryptedAsServers(raw, 'memory', options),
    listUsers: undefined,
    countMemories: async () => undefined,
    reindex: undefined,
  };
  const name = location.kind === 'mem0' ? 'Mem0' : 'Zep';
  return {
    kind: location.kind,
    description: `${name}${location.url ? ` at ${location.url}` : ''}`,
    idempotentImport: false,
    writeConcurrency: SERVICE_WRITE_CONCURRENCY,
    addsInOrder: false,
    existingScopes: async () => [scope],
    scope: (scopeName) => (scopeName === 'memory' ? scope : undefined),
    storageBytes: async () => undefined,
    backup: async () => ({ written: false, detail: `${name} keeps the data: export it with \`fastagentic-memory export --user ...\`` }),
    close: async () => undefined,
  };
}
