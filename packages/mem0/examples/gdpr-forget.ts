// GDPR erasure (spec: "Memory Deletion (GDPR)"): forget a user with Mem0's own delete-all, one
// request, instead of the spec's getAll-then-delete loop.
// Run: MEM0_API_KEY=... node --import tsx examples/gdpr-forget.ts
import { forgetUser } from '@fastagentic/memory';
import { Mem0Provider } from '@fastagentic/mem0';
import { runIfMain, type ExampleOptions } from './run-if-main.js';

export async function forget({ apiKey, baseUrl }: ExampleOptions): Promise<{ deleted: number; left: number }> {
  const memory = new Mem0Provider({ apiKey, baseUrl, readYourWrites: true });
  await memory.add('user-789', [{ role: 'user', content: 'My phone number is 555-0100' }]);
  // POST /users/{user_id}/forget
  const deleted = await forgetUser(memory, 'user-789');
  const left = (await memory.getAll('user-789')).memories.length;
  return { deleted, left };
}

await runIfMain(import.meta.url, forget);
