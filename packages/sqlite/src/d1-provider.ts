import { MemoryConfigurationError } from '@fastagentic/memory';
import { D1Runner, type D1DatabaseBinding } from './d1-runner.js';
import { SqliteMemoryProvider, type SqliteMemoryOptions } from './sqlite-memory-provider.js';

export interface D1ProviderOptions extends SqliteMemoryOptions {
  /** The D1 binding from the Worker's `env` (configured in wrangler.jsonc `d1_databases`). */
  database: D1DatabaseBinding;
}

/** Memory in Cloudflare D1, from a Worker's binding. Each operation is one `batch` (one transaction). */
export class D1Provider extends SqliteMemoryProvider {
  constructor(options: D1ProviderOptions) {
    const database = options?.database;
    if (!database || typeof database.prepare !== 'function' || typeof database.batch !== 'function') {
      throw new MemoryConfigurationError('database', 'expected a D1 binding (env.<binding> with prepare and batch)');
    }
    super('d1', new D1Runner(database), options);
  }
}
