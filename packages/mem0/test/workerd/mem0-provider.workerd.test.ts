import { testMemoryProvider } from '@fastagentic/testkit';
import { inject } from 'vitest';
import { Mem0Provider } from '../../src/index.js';

testMemoryProvider({
  name: 'Mem0Provider in workerd (local Mem0 platform server)',
  create: () => new Mem0Provider({ apiKey: 'workerd-key', baseUrl: inject('mem0Url') }),
});
