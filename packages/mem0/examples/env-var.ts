// Environment variables (spec: "Configuration"): `new Mem0Provider()` reads MEM0_API_KEY.
// Run: MEM0_API_KEY=... node --import tsx examples/env-var.ts
import { Mem0Provider } from '@fastagentic/mem0';
import { runIfMain, type ExampleOptions } from './run-if-main.js';

export async function fromEnvironment({ baseUrl }: ExampleOptions): Promise<number> {
  const memory = new Mem0Provider({ baseUrl }); // apiKey comes from MEM0_API_KEY
  const page = await memory.getAll('user-123', { limit: 10 });
  return page.memories.length;
}

await runIfMain(import.meta.url, fromEnvironment);
