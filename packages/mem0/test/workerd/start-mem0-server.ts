import type { TestProject } from 'vitest/node';
import { Mem0PlatformServer } from '../mem0-platform-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mem0Url: string;
  }
}

/** Global setup (runs in Node): the local Mem0 server the workerd tests talk to over loopback. */
export default async function startMem0Server(project: TestProject): Promise<() => Promise<void>> {
  const server = await new Mem0PlatformServer({ apiKey: 'workerd-key' }).start();
  project.provide('mem0Url', server.url);
  return () => server.stop();
}
