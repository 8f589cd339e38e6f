import { createClient } from '@libsql/client/web';
import { testMemoryProvider } from '@fastagentic/testkit';
import { AXES_EMBEDDER, expectCosineRanking } from './cosine-ranking.js';
import { afterAll, beforeAll, it } from 'vitest';
import { LibsqlProvider } from '../src/index.js';
import { LibsqlHttpServer } from './libsql-http-server.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('web-conformance');
let server: LibsqlHttpServer;
beforeAll(async () => {
  server = await LibsqlHttpServer.start(folder.file('remote.db'));
});
afterAll(async () => {
  await server.stop();
  folder.remove();
});

testMemoryProvider({
  name: 'LibsqlProvider (@libsql/client/web over HTTP, Node)',
  create: () => new LibsqlProvider({ client: createClient({ url: server.url }) }),
  createWithTtl: (ttlSeconds) =>
    new LibsqlProvider({ client: createClient({ url: server.url }), tablePrefix: 'session_', ttlSeconds }),
});

it('stores vectors as BLOBs through this client and ranks by their cosine', async () => {
  await expectCosineRanking(new LibsqlProvider({ client: createClient({ url: server.url }), tablePrefix: 'semantic_', embedder: AXES_EMBEDDER }), 'vector-user');
});
