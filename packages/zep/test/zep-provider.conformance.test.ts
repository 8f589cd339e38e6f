import { testMemoryProvider } from '@fastagentic/testkit';
import { inject } from 'vitest';
import { ZepProvider } from '../src/index.js';

// The server comes from test/global-setup.ts (in Node, for the Node and the workerd runs alike).
const options = { apiKey: inject('zepApiKey'), baseUrl: inject('zepBaseUrl') };
testMemoryProvider({
  name: 'ZepProvider',
  create: () => new ZepProvider(options),
  // Nothing listens on port 1: every request fails to connect.
  createBroken: () => new ZepProvider({ ...options, baseUrl: 'http://127.0.0.1:1/api/v2', retry: { maxRetries: 0 } }),
});
