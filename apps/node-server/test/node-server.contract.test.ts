import { testHttpContract } from '@fastagentic/http-contract';
import { afterAll, beforeAll } from 'vitest';
import { startNodeServer, type RunningNodeServer } from '../src/start-node-server.js';

const jwtSecret = 'node-contract-secret-0123456789abcdef';
let server: RunningNodeServer;

beforeAll(async () => {
  server = await startNodeServer({ env: { PORT: '0', JWT_SECRET: jwtSecret, SESSION_TTL_SECONDS: '1' } });
});
afterAll(() => server.close());

testHttpContract({ name: 'node', baseUrl: () => server.url, jwtSecret, sessionTtlSeconds: 1 });
