import { createClient } from '@libsql/client/web';
import { testMemoryProvider } from '@fastagentic/testkit';
import { inject } from 'vitest';
import { LibsqlProvider } from '../../src/index.js';

const url = inject('libsqlUrl');
testMemoryProvider({
  name: 'LibsqlProvider (@libsql/client/web over HTTP, workerd)',
  create: () => new LibsqlProvider({ client: createClient({ url }) }),
  createWithTtl: (ttlSeconds) => new LibsqlProvider({ client: createClient({ url }), tablePrefix: 'session_', ttlSeconds }),
});
