// Memory categories (spec: "Memory Categories"): store with metadata.category, search by it.
// Run: MEM0_API_KEY=... node --import tsx examples/categories.ts
import { Mem0Provider } from '@fastagentic/mem0';
import { runIfMain, type ExampleOptions } from './run-if-main.js';

export async function categories({ apiKey, baseUrl }: ExampleOptions): Promise<string[]> {
  const memory = new Mem0Provider({ apiKey, baseUrl, readYourWrites: true });
  await memory.add('user-123', [{ role: 'user', content: 'I prefer window seats on flights' }], { category: 'preferences' });
  await memory.add('user-123', [{ role: 'user', content: 'My flight to Oslo leaves on Friday' }], { category: 'travel' });
  const preferences = await memory.search('user-123', 'flights seats', { filters: { category: 'preferences' } });
  return preferences.map((m) => m.memory);
}

await runIfMain(import.meta.url, categories);
