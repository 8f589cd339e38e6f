import { createClient, type Client } from '@libsql/client';
import type { OutboxJournal, OutboxRecord } from 'fastagentic';

/** A connection opened while the file could not be written stays read-only: such errors reopen it. */
const REOPEN_CODE = /^SQLITE_(READONLY|CANTOPEN)/;

/**
 * The outbox journal in a local libSQL/SQLite file (the Node server's default, in the data folder).
 * WAL with `synchronous = NORMAL`: a commit is in the operating system's hands when `append`
 * resolves, so it survives the process being killed (SIGKILL, a crash); a power cut may lose the
 * last commits, as it may lose an acknowledged write in any store on the same disk.
 */
export class LibsqlOutboxJournal implements OutboxJournal {
  private client: Promise<Client> | undefined;
  /** Removals arriving in the same turn of the event loop, deleted in one statement. */
  private removing: { keys: string[]; done: Promise<void> } | undefined;

  private constructor(private readonly url: string) {}

  /** Opens (creating it if needed) the journal file, e.g. `<data folder>/outbox.db`. */
  static async open(file: string): Promise<LibsqlOutboxJournal> {
    const journal = new LibsqlOutboxJournal(`file:${file}`);
    await journal.connection();
    return journal;
  }

  async append(record: OutboxRecord): Promise<void> {
    await this.run((client) =>
      client.execute({
        sql: 'INSERT OR IGNORE INTO outbox (key, user_id, store, promised_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)',
        args: [record.key, record.userId, record.store, record.promisedAt, record.payload],
      }),
    );
  }

  remove(keys: readonly string[]): Promise<void> {
    // Many users' writes land together (a drain, a replay): one commit for all of them.
    if (this.removing === undefined) {
      const batch = { keys: [] as string[], done: Promise.resolve() };
      batch.done = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        this.removing = undefined;
        await this.run((client) =>
          client.execute({ sql: 'DELETE FROM outbox WHERE key IN (SELECT value FROM json_each(?1))', args: [JSON.stringify(batch.keys)] }),
        );
      });
      this.removing = batch;
    }
    this.removing.keys.push(...keys);
    return this.removing.done;
  }

  async pending(): Promise<OutboxRecord[]> {
    const result = await this.run((client) => client.execute('SELECT key, user_id, store, promised_at, payload FROM outbox ORDER BY seq'));
    return result.rows.map((row) => ({
      key: String(row[0]),
      userId: String(row[1]),
      store: String(row[2]),
      promisedAt: Number(row[3]),
      payload: String(row[4]),
    }));
  }

  /** Records held. */
  async size(): Promise<number> {
    const result = await this.run((client) => client.execute('SELECT count(*) FROM outbox'));
    return Number(result.rows[0]![0]);
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    client?.close();
  }

  private async run<T>(statement: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.connection();
    try {
      return await statement(client);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && REOPEN_CODE.test(code) && this.client) {
        this.client = undefined;
        client.close();
      }
      throw error;
    }
  }

  private connection(): Promise<Client> {
    this.client ??= (async () => {
      const client = createClient({ url: this.url });
      try {
        await client.execute('PRAGMA journal_mode = WAL');
        await client.execute('PRAGMA synchronous = NORMAL');
        // seq keeps the order of promises; key is the idempotency key the replay sends again.
        await client.execute(`CREATE TABLE IF NOT EXISTS outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          key TEXT NOT NULL UNIQUE,
          user_id TEXT NOT NULL,
          store TEXT NOT NULL,
          promised_at INTEGER NOT NULL,
          payload TEXT NOT NULL
        )`);
        return client;
      } catch (error) {
        client.close();
        throw error;
      }
    })().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }
}
