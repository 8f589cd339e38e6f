import type { PGliteInterface } from '@electric-sql/pglite';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { PGliteRunner } from './pglite-runner.js';
import { PostgresMemoryProvider, type PostgresMemoryOptions } from './postgres-memory-provider.js';

export interface PGliteProviderOptions extends PostgresMemoryOptions {
  /** A PGlite database you created (with the pgvector extension for HNSW); `close` leaves it open. */
  db?: PGliteInterface | Promise<PGliteInterface>;
  /**
   * Where the provider's own database lives: a directory (`./memory-data`), `idb://name` in a
   * browser, or `memory://` (the default) for a database that ends with the process.
   */
  dataDir?: string;
  /** Load pgvector into the provider's own database, for HNSW vector search. Default true with an embedder. */
  pgvector?: boolean;
}

async function openPGlite(dataDir: string, pgvector: boolean): Promise<PGliteInterface> {
  let pglite: typeof import('@electric-sql/pglite');
  try {
    pglite = await import('@electric-sql/pglite');
  } catch (error) {
    throw new MemoryConfigurationError('db', 'install "@electric-sql/pglite" (0.5.14) to use PGliteProvider', { cause: error });
  }
  if (!pgvector) return pglite.PGlite.create(dataDir);
  let extension: typeof import('@electric-sql/pglite-pgvector');
  try {
    extension = await import('@electric-sql/pglite-pgvector');
  } catch (error) {
    throw new MemoryConfigurationError('pgvector', 'install "@electric-sql/pglite-pgvector" (0.0.15) for vector search on PGlite', {
      cause: error,
    });
  }
  return pglite.PGlite.create(dataDir, { extensions: { vector: extension.vector } });
}

/**
 * Memory on PGlite: PostgreSQL in this process (WASM), for tests, notebooks and single-process
 * apps. The same store as PostgresProvider; with pgvector loaded, vector search uses HNSW.
 */
export class PGliteProvider extends PostgresMemoryProvider {
  private written = 0;
  private analyzedAt = 0;

  constructor(options: PGliteProviderOptions = {}) {
    if (options.db !== undefined && options.dataDir !== undefined) {
      throw new MemoryConfigurationError('dataDir', 'pass either db or dataDir, not both');
    }
    const db = options.db ?? openPGlite(options.dataDir ?? 'memory://', options.pgvector ?? options.embedder !== undefined);
    // An open failure surfaces on the first call, not as an unhandled rejection.
    if (db instanceof Promise) db.catch(() => undefined);
    super('pglite', new PGliteRunner('pglite', db, options.db === undefined), options);
  }

  /**
   * PGlite runs no autovacuum, and without statistics the planner neither uses the HNSW index nor
   * estimates postings well: the tables are analysed once the rows written since the last time
   * reach 1,000 and a tenth of what there was then.
   */
  protected override async afterWrite(stored: number): Promise<void> {
    this.written += stored;
    if (this.written - this.analyzedAt < Math.max(1_000, this.analyzedAt / 10)) return;
    this.analyzedAt = this.written;
    const t = this.tables;
    await this.runner.query(`ANALYZE ${t.memories}, ${t.postings}, ${t.termStats}, ${t.users}`).catch(() => undefined);
  }
}
