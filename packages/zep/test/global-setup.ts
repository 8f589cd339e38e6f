import type { TestProject } from 'vitest/node';
import { startZepTestServer, type ZepTestServer } from './zep-test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    zepBaseUrl: string;
    zepApiKey: string;
  }
}

let server: ZepTestServer | undefined;

// Runs in Node, outside workerd: the server's URL reaches the tests (Node or workerd) via inject().
export async function setup(project: TestProject): Promise<void> {
  server = await startZepTestServer();
  project.provide('zepBaseUrl', server.baseUrl);
  project.provide('zepApiKey', server.apiKey);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
