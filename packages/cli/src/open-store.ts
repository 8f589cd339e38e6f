import { openLibsqlStore } from './libsql-store.js';
import type { OpenedStore } from './opened-store.js';
import { openPostgresStore } from './postgres-store.js';
import { openRedisStore } from './redis-store.js';
import { openServiceStore } from './service-store.js';
import { parseStoreLocation } from './store-location.js';
import type { StoreOptions } from './store-options.js';

/** Opens the store a URL names (see parseStoreLocation), configured as the servers configure it. */
export async function openStore(url: string, options: StoreOptions): Promise<OpenedStore> {
  const location = parseStoreLocation(url, options.option, options.env);
  switch (location.kind) {
    case 'libsql':
      return openLibsqlStore(location, options);
    case 'postgres':
      return openPostgresStore(location, options);
    case 'redis':
      return openRedisStore(location, options);
    default:
      return openServiceStore(location, options);
  }
}
