// Quick start (spec: "Quick Start"): a provider with an explicit key, one conversation stored,
// then recalled. Run: MEM0_API_KEY=... node --import tsx examples/quick-start.ts
import { Mem0Provider } from '@fastagentic/mem0';
import { runIfMain, type ExampleOptions } from './run-if-main.js';

export async function quickStart({ apiKey, baseUrl }: ExampleOptions): Promise<string[]> {
  const memory = new Mem0Provider({ apiKey, baseUrl, readYourWrites: true });
  await memory.add('user-123', [
    { role: 'user', content: 'I am vegetarian and I live in Lisbon' },
    { role: 'assistant', content: 'Noted: vegetarian, based in Lisbon.' },
  ]);
  const found = await memory.search('user-123', 'Where does the user live and what do they eat?', { limit: 5 });
  return found.map((m) => m.memory);
}

await runIfMain(import.meta.url, quickStart);
