import { InMemoryProvider } from '@fastagentic/memory';
import { testMemoryProvider } from '../src/index.js';

// The reference run of the suite: InMemoryProvider lives in @fastagentic/memory, which the testkit depends on.
testMemoryProvider({
  name: 'InMemoryProvider',
  create: () => new InMemoryProvider(),
  createWithTtl: (ttlSeconds) => new InMemoryProvider({ ttlSeconds }),
});
