import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'libsql';

/**
 * A local server speaking libSQL's HTTP protocol (Hrana over HTTP, JSON encoding, versions 2 and
 * 3 at `/v2/pipeline` and `/v3/pipeline`) over a local SQLite file, so `@libsql/client/web` can be
 * tested in Node and inside workerd without a network. A stream (baton) owns one connection, so
 * a transaction begun in one request continues in the next.
 */
export class LibsqlHttpServer {
  private readonly streams = new Map<string, Stream>();
  /** Every pipeline request body received, for tests that check what a client sends. */
  readonly requests: Array<{ path: string; body: PipelineRequest }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly file: string,
  ) {}

  static async start(file: string): Promise<LibsqlHttpServer> {
    let instance: LibsqlHttpServer | undefined;
    const server = createServer((request, response) => void instance!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new LibsqlHttpServer(server, `http://127.0.0.1:${port}`, file);
    return instance;
  }

  async stop(): Promise<void> {
    for (const stream of this.streams.values()) stream.db.close();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (request.method === 'GET' && /^\/v[23]\/?$/.test(path)) return send(response, 200, {});
    if (request.method !== 'POST' || !/^\/v[23]\/pipeline$/.test(path)) return send(response, 404, { error: 'not found' });
    let body: PipelineRequest;
    try {
      body = JSON.parse(await readBody(request)) as PipelineRequest;
    } catch {
      return send(response, 400, { error: 'the body is not JSON' });
    }
    this.requests.push({ path, body });
    let baton = body.baton ?? null;
    let stream: Stream | undefined;
    if (baton === null) {
      const db = new Database(this.file, { timeout: 5_000 });
      db.defaultSafeIntegers(true);
      stream = { db, sqls: new Map() };
      baton = randomUUID();
      this.streams.set(baton, stream);
    } else {
      stream = this.streams.get(baton);
      if (!stream) return send(response, 400, { error: 'unknown baton', code: 'STREAM_EXPIRED' });
    }
    const results = body.requests.map((streamRequest) => {
      try {
        return { type: 'ok', response: runRequest(stream, streamRequest) };
      } catch (error) {
        return { type: 'error', error: errorOf(error) };
      }
    });
    if (body.requests.some((streamRequest) => streamRequest.type === 'close')) {
      // Anything left open is rolled back with the connection, as a closed stream must.
      stream.db.close();
      this.streams.delete(baton);
      baton = null;
    }
    send(response, 200, { baton, base_url: null, results });
  }
}

interface Stream {
  db: Database.Database;
  sqls: Map<number, string>;
}

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

interface HranaStatement {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: Array<{ name: string; value: HranaValue }>;
  want_rows?: boolean;
}

type HranaCondition =
  | { type: 'ok'; step: number }
  | { type: 'error'; step: number }
  | { type: 'not'; cond: HranaCondition }
  | { type: 'and'; conds: HranaCondition[] }
  | { type: 'or'; conds: HranaCondition[] }
  | { type: 'is_autocommit' };

type StreamRequest =
  | { type: 'close' }
  | { type: 'execute'; stmt: HranaStatement }
  | { type: 'batch'; batch: { steps: Array<{ condition?: HranaCondition | null; stmt: HranaStatement }> } }
  | { type: 'sequence'; sql?: string; sql_id?: number }
  | { type: 'describe'; sql?: string; sql_id?: number }
  | { type: 'store_sql'; sql_id: number; sql: string }
  | { type: 'close_sql'; sql_id: number }
  | { type: 'get_autocommit' };

interface PipelineRequest {
  baton?: string | null;
  requests: StreamRequest[];
}

class HranaError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function runRequest(stream: Stream, request: StreamRequest): Record<string, unknown> {
  switch (request.type) {
    case 'close':
      return { type: 'close' };
    case 'execute':
      return { type: 'execute', result: execute(stream, request.stmt) };
    case 'batch':
      return { type: 'batch', result: runBatch(stream, request.batch.steps) };
    case 'sequence':
      stream.db.exec(sqlOf(stream, request));
      return { type: 'sequence' };
    case 'describe': {
      const statement = stream.db.prepare(sqlOf(stream, request));
      return {
        type: 'describe',
        result: {
          params: [],
          cols: statement.reader ? statement.columns().map((column) => ({ name: column.name, decltype: column.type })) : [],
          is_explain: /^\s*explain/i.test(sqlOf(stream, request)),
          is_readonly: !statement.reader ? false : true,
        },
      };
    }
    case 'store_sql':
      stream.sqls.set(request.sql_id, request.sql);
      return { type: 'store_sql' };
    case 'close_sql':
      stream.sqls.delete(request.sql_id);
      return { type: 'close_sql' };
    case 'get_autocommit':
      return { type: 'get_autocommit', is_autocommit: !stream.db.inTransaction };
    default:
      throw new HranaError(`unknown request type ${JSON.stringify((request as { type: unknown }).type)}`, 'PROTOCOL_ERROR');
  }
}

function runBatch(stream: Stream, steps: Array<{ condition?: HranaCondition | null; stmt: HranaStatement }>) {
  const stepResults: unknown[] = [];
  const stepErrors: unknown[] = [];
  const holds = (condition: HranaCondition): boolean => {
    switch (condition.type) {
      case 'ok':
        return stepResults[condition.step] !== null && stepResults[condition.step] !== undefined;
      case 'error':
        return stepErrors[condition.step] !== null && stepErrors[condition.step] !== undefined;
      case 'not':
        return !holds(condition.cond);
      case 'and':
        return condition.conds.every(holds);
      case 'or':
        return condition.conds.some(holds);
      case 'is_autocommit':
        return !stream.db.inTransaction;
    }
  };
  for (const step of steps) {
    if (step.condition && !holds(step.condition)) {
      stepResults.push(null);
      stepErrors.push(null);
      continue;
    }
    try {
      stepResults.push(execute(stream, step.stmt));
      stepErrors.push(null);
    } catch (error) {
      stepResults.push(null);
      stepErrors.push(errorOf(error));
    }
  }
  return { step_results: stepResults, step_errors: stepErrors };
}

function sqlOf(stream: Stream, holder: { sql?: string | undefined; sql_id?: number | undefined }): string {
  if (holder.sql !== undefined) return holder.sql;
  const stored = holder.sql_id === undefined ? undefined : stream.sqls.get(holder.sql_id);
  if (stored === undefined) throw new HranaError('no SQL text and no stored SQL with that id', 'SQL_NOT_FOUND');
  return stored;
}

function execute(stream: Stream, stmt: HranaStatement) {
  const statement = stream.db.prepare(sqlOf(stream, stmt));
  let bound: unknown;
  if (stmt.named_args && stmt.named_args.length > 0) {
    const named: Record<string, unknown> = {};
    // libsql binds names without their sigil (`:a`, `@a`, `$a` → `a`).
    for (const { name, value } of stmt.named_args) named[name.replace(/^[:@$]/, '')] = fromHrana(value);
    bound = named;
  } else {
    bound = (stmt.args ?? []).map(fromHrana);
  }
  if (statement.reader) {
    const columns = statement.columns();
    const rows = statement.raw(true).all(bound) as unknown[][];
    return {
      cols: columns.map((column) => ({ name: column.name, decltype: column.type })),
      rows: stmt.want_rows === false ? [] : rows.map((row) => row.map(toHrana)),
      affected_row_count: 0,
      last_insert_rowid: null,
      rows_read: rows.length,
      rows_written: 0,
      query_duration_ms: 0,
    };
  }
  const info = statement.run(bound);
  return {
    cols: [],
    rows: [],
    affected_row_count: info.changes,
    last_insert_rowid: info.lastInsertRowid === undefined ? null : String(info.lastInsertRowid),
    rows_read: 0,
    rows_written: info.changes,
    query_duration_ms: 0,
  };
}

function fromHrana(value: HranaValue): unknown {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer': {
      const big = BigInt(value.value);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case 'float':
      return value.value;
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
  }
}

function toHrana(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new HranaError(`cannot encode a ${typeof value}`, 'PROTOCOL_ERROR');
}

function errorOf(error: unknown): { message: string; code: string } {
  const code = (error as { code?: unknown })?.code;
  // The primary result code (SQLITE_CONSTRAINT, not SQLITE_CONSTRAINT_NOTNULL), as the file client reports it.
  const primary = typeof code === 'string' ? /^SQLITE_[A-Z]+/.exec(code)?.[0] : undefined;
  return {
    message: error instanceof Error ? error.message : String(error),
    code: primary ?? (typeof code === 'string' ? code : 'SQLITE_ERROR'),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
