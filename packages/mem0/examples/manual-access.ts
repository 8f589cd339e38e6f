// Manual memory access (spec: "Manual Memory Access"): an agent handler searches the user's
// memories, builds context for the model, then stores the exchange.
// Run: MEM0_API_KEY=... node --import tsx examples/manual-access.ts
import { Mem0Provider } from '@fastagentic/mem0';
import { runIfMain, type ExampleOptions } from './run-if-main.js';

interface AgentContext {
  user: { id: string };
}

/** Stands in for the model call: answers with the context it was given. */
async function runAgent(message: string, memoryContext: string): Promise<string> {
  return memoryContext === '' ? `You said: ${message}` : `Remembering that ${memoryContext}, you said: ${message}`;
}

export async function manualAccess({ apiKey, baseUrl }: ExampleOptions): Promise<string[]> {
  const memory = new Mem0Provider({ apiKey, baseUrl, readYourWrites: true });

  async function chat(message: string, ctx: AgentContext): Promise<string> {
    const userId = memory.userIdFrom(ctx); // userIdField, default "user.id"
    const memories = await memory.search(userId, message, { limit: 5 });
    const memoryContext = memories.map((m) => m.memory).join('\n');
    const response = await runAgent(message, memoryContext);
    await memory.add(userId, [
      { role: 'user', content: message },
      { role: 'assistant', content: response },
    ]);
    return response;
  }

  const ctx = { user: { id: 'user-456' } };
  return [await chat('My dog is called Pixel', ctx), await chat('What is my dog called?', ctx)];
}

await runIfMain(import.meta.url, manualAccess);
