import { createClient as createFileClient, type Client, type InStatement, type ResultSet } from '@libsql/client';
import { createClient as createWebClient } from '@libsql/client/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibsqlHttpServer } from './libsql-http-server.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('hrana');
let server: LibsqlHttpServer;
let web: Client;
let file: Client;

beforeAll(async () => {
  server = await LibsqlHttpServer.start(folder.file('served.db'));
  web = createWebClient({ url: server.url });
  file = createFileClient({ url: `file:${folder.file('direct.db')}` });
});

afterAll(async () => {
  web.close();
  file.close();
  await server.stop();
  folder.remove();
});

/**
 * What a statement gave, in a form both clients can be compared on. The last insert rowid is
 * the connection's, so it is compared only where the statement inserted.
 */
function outcome(result: ResultSet, inserted = true) {
  return {
    columns: result.columns,
    rows: result.rows.map((row) => Array.prototype.slice.call(row).map((value: unknown) =>
      value instanceof ArrayBuffer ? [...new Uint8Array(value)] : value,
    )),
    rowsAffected: result.rowsAffected,
    lastInsertRowid: inserted && result.rowsAffected > 0 ? result.lastInsertRowid : undefined,
  };
}

async function run(client: Client, statement: InStatement) {
  try {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    return outcome(await client.execute(statement), /^\s*INSERT/i.test(sql));
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

async function runBatch(client: Client, statements: InStatement[], mode: 'write' | 'read') {
  try {
    return (await client.batch(statements, mode)).map((result) => outcome(result));
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

describe('the local libSQL HTTP server', () => {
  it('gives what the file client gives for the same statements', async () => {
    const statements: InStatement[] = [
      'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL, data BLOB, extra)',
      { sql: 'INSERT INTO items (name, price, data, extra) VALUES (?, ?, ?, ?)', args: ['tea', 2.5, new Uint8Array([0, 255, 7]), null] },
      { sql: 'INSERT INTO items (name, price, extra) VALUES (?1, ?2, ?1)', args: ['coffee', 3, 'x'] },
      { sql: 'INSERT INTO items (name, price) VALUES (:name, :price)', args: { name: 'Ünïcødé ✓ "q"', price: -0.125 } },
      { sql: 'INSERT INTO items (name) VALUES (?)', args: ['tea'] },
      'SELECT * FROM items ORDER BY id',
      { sql: 'SELECT count(*) AS n, sum(price) AS total, 9007199254740991 AS big FROM items WHERE price > ?', args: [0] },
      { sql: 'UPDATE items SET price = price * 2 WHERE price > ?', args: [1] },
      'SELECT json_extract(\'{"a":[1,2]}\', \'$.a[1]\') AS second, typeof(1.0) AS kind, 1.0 AS one',
      'SELEC broken',
      { sql: 'SELECT value FROM json_each(?) ORDER BY value', args: ['[3,1,2]'] },
    ];
    for (const statement of statements) expect(await run(web, statement)).toEqual(await run(file, statement));
  });

  it('runs a batch as one transaction, rolling all back when a step fails, like the file client', async () => {
    const setup = 'CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)';
    await web.execute(setup);
    await file.execute(setup);
    const good: InStatement[] = [
      { sql: 'INSERT INTO ledger (amount) VALUES (?)', args: [10] },
      { sql: 'INSERT INTO ledger (amount) VALUES (?)', args: [20] },
      'SELECT sum(amount) AS total FROM ledger',
    ];
    expect(await runBatch(web, good, 'write')).toEqual(await runBatch(file, good, 'write'));
    const failing: InStatement[] = [
      { sql: 'INSERT INTO ledger (amount) VALUES (?)', args: [30] },
      { sql: 'INSERT INTO ledger (amount) VALUES (?)', args: [null] },
    ];
    const failedWeb = await runBatch(web, failing, 'write');
    expect(failedWeb).toEqual({ error: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect(failedWeb).toEqual(await runBatch(file, failing, 'write'));
    const read: InStatement[] = ['SELECT count(*) AS n, sum(amount) AS total FROM ledger'];
    const afterWeb = await runBatch(web, read, 'read');
    expect(afterWeb).toEqual(await runBatch(file, read, 'read'));
    expect(afterWeb).toMatchObject([{ rows: [[2, 30]] }]);
  });

  it('keeps an interactive transaction on one stream across requests', async () => {
    await web.execute('CREATE TABLE notes (text TEXT)');
    const transaction = await web.transaction('write');
    await transaction.execute({ sql: 'INSERT INTO notes VALUES (?)', args: ['kept'] });
    expect((await transaction.execute('SELECT count(*) FROM notes')).rows[0]![0]).toBe(1);
    await transaction.commit();
    const rolledBack = await web.transaction('write');
    await rolledBack.execute({ sql: 'INSERT INTO notes VALUES (?)', args: ['dropped'] });
    await rolledBack.rollback();
    expect((await web.execute('SELECT text FROM notes')).rows.map((row) => row[0])).toEqual(['kept']);
    expect(server.requests.every(({ path }) => path === '/v2/pipeline' || path === '/v3/pipeline')).toBe(true);
    expect(server.requests.length).toBeGreaterThan(0);
  });
});
