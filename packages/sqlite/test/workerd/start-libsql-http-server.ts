import type { TestProject } from 'vitest/node';
import { LibsqlHttpServer } from '../libsql-http-server.js';
import { temporaryFolder } from '../temporary-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    libsqlUrl: string;
  }
}

/** Vitest global setup (Node): starts the libSQL HTTP server the worker-side test talks to. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = temporaryFolder('workerd');
  const server = await LibsqlHttpServer.start(folder.file('remote.db'));
  project.provide('libsqlUrl', server.url);
  return async () => {
    await server.stop();
    folder.remove();
  };
}
