import { testMemoryProvider } from '@fastagentic/testkit';
import { inject } from 'vitest';
import { ZepProvider } from '../src/index.js';

testMemoryProvider({ name: 'ZepProvider', create: () => new ZepProvider({ apiKey: inject('zepApiKey'), baseUrl: inject('zepBaseUrl') }) });
