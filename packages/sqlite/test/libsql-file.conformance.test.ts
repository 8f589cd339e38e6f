import { testMemoryProvider } from '@fastagentic/testkit';
import { afterAll } from 'vitest';
import { LibsqlProvider } from '../src/index.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('conformance');
afterAll(() => folder.remove());

testMemoryProvider({
  name: 'LibsqlProvider (file)',
  create: () => new LibsqlProvider({ url: `file:${folder.file('memory.db')}` }),
  createWithTtl: (ttlSeconds) => new LibsqlProvider({ url: `file:${folder.file('session.db')}`, ttlSeconds }),
  destroy: (provider) => (provider as LibsqlProvider).close(),
});
