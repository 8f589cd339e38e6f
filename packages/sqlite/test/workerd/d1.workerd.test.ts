import { env } from 'cloudflare:workers';
import { testMemoryProvider } from '@fastagentic/testkit';
import { it } from 'vitest';
import { AXES_EMBEDDER, expectCosineRanking } from '../cosine-ranking.js';
import { D1Provider, type D1DatabaseBinding } from '../../src/d1.js';

const database = env.MEMORY_DB as D1DatabaseBinding;
testMemoryProvider({
  name: 'D1Provider (miniflare local D1, workerd)',
  create: () => new D1Provider({ database }),
  createWithTtl: (ttlSeconds) => new D1Provider({ database, tablePrefix: 'session_', ttlSeconds }),
});

it('stores vectors as BLOBs through this client and ranks by their cosine', async () => {
  await expectCosineRanking(new D1Provider({ database, tablePrefix: 'semantic_', embedder: AXES_EMBEDDER }), 'vector-user');
});
