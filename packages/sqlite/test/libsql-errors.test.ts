import { createClient } from '@libsql/client/web';
import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '../src/index.js';
import { LibsqlHttpServer } from './libsql-http-server.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('errors');
let server: LibsqlHttpServer;
/** When set, the next requests get this HTTP status instead of reaching the server. */
let failWith: number | undefined;
let provider: LibsqlProvider;

beforeAll(async () => {
  server = await LibsqlHttpServer.start(folder.file('remote.db'));
  const failingFetch = (input: Request | string | URL, init?: RequestInit) =>
    failWith === undefined ? fetch(input, init) : Promise.resolve(new Response('failed', { status: failWith }));
  provider = new LibsqlProvider({ client: createClient({ url: server.url, fetch: failingFetch }) });
  await provider.getAll('u'); // the schema is in place before the failures start
});
afterAll(async () => {
  await server.stop();
  folder.remove();
});

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  } finally {
    failWith = undefined;
  }
  throw new Error('expected a failure');
}

const note = [{ role: 'user' as const, content: 'a fact' }];

describe('LibsqlProvider over HTTP when the server fails', () => {
  it('maps statuses to typed errors', async () => {
    failWith = 401;
    expect(MemoryConfigurationError.isInstance(await failure(() => provider.getAll('u')))).toBe(true);
    failWith = 400;
    const refused = await failure(() => provider.get('u', 'some-id'));
    expect(ProviderUnavailableError.isInstance(refused) && !refused.isRetryable).toBe(true);
  });

  it('offers a failed add for a retry only when it was not applied or carries an idempotency key', async () => {
    failWith = 500;
    const mayHaveLanded = await failure(() => provider.add('u', note));
    expect(ProviderUnavailableError.isInstance(mayHaveLanded) && mayHaveLanded.isRetryable).toBe(false);
    failWith = 500;
    const keyed = await failure(() => provider.add('u', note, undefined, { idempotencyKey: 'k1' }));
    expect(ProviderUnavailableError.isInstance(keyed) && keyed.isRetryable).toBe(true);
    failWith = 503;
    const notApplied = await failure(() => provider.add('u', note));
    expect(ProviderUnavailableError.isInstance(notApplied) && notApplied.isRetryable && notApplied.statusCode === 503).toBe(true);
    // After the failures the store works again and holds nothing from them.
    expect((await provider.getAll('u')).memories).toEqual([]);
    await provider.add('u', note, undefined, { idempotencyKey: 'k1' });
    expect((await provider.getAll('u')).memories).toHaveLength(1);
  });
});
