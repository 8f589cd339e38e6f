import { createClient } from '@libsql/client/web';
import { testMemoryProvider } from '@fastagentic/testkit';
import { it } from 'vitest';
import { AXES_EMBEDDER, expectCosineRanking } from '../cosine-ranking.js';
import { inject } from 'vitest';
import { LibsqlProvider } from '../../src/index.js';

const url = inject('libsqlUrl');
testMemoryProvider({
  name: 'LibsqlProvider (@libsql/client/web over HTTP, workerd)',
  create: () => new LibsqlProvider({ client: createClient({ url }) }),
  createWithTtl: (ttlSeconds) => new LibsqlProvider({ client: createClient({ url }), tablePrefix: 'session_', ttlSeconds }),
});

it('stores vectors as BLOBs through this client and ranks by their cosine', async () => {
  await expectCosineRanking(new LibsqlProvider({ client: createClient({ url }), tablePrefix: 'semantic_', embedder: AXES_EMBEDDER }), 'vector-user');
});
