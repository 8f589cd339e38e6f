import { testMemoryProvider } from '@fastagentic/testkit';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';

const server = new Mem0PlatformServer({ apiKey: 'local-key' });

testMemoryProvider({
  name: 'Mem0Provider (local Mem0 platform server)',
  create: async () => new Mem0Provider({ apiKey: 'local-key', baseUrl: (await server.start()).url }),
  destroy: () => server.stop(),
});
