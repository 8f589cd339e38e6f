// The smallest useful program: store a few memories for two users, recall them, forget one user.
import { InMemoryProvider, forgetUser, injectMemory } from '@fastagentic/memory';

const memory = new InMemoryProvider();

await memory.add('alice', [{ role: 'user', content: 'I am vegetarian and allergic to peanuts' }], {
  category: 'preferences',
});
await memory.add('alice', [
  { role: 'user', content: 'I am flying to Lisbon in March' },
  { role: 'assistant', content: 'Noted: Lisbon trip in March' },
]);
await memory.add('alice', [{ role: 'user', content: 'My daughter plays chess on Sundays' }]);
await memory.add('bob', [{ role: 'user', content: 'I am allergic to cats' }]);

console.log('Search alice for "allergic to peanuts":');
for (const found of await memory.search('alice', 'allergic to peanuts', { limit: 3 })) {
  console.log(`  ${found.score.toFixed(2)}  ${found.memory}`);
}

console.log('\nAlice\'s preferences (filter { category: "preferences" }):');
const { memories } = await memory.getAll('alice', { filters: { category: 'preferences' } });
for (const found of memories) console.log(`  ${found.memory}`);

console.log('\nContext block injected for "trip to Lisbon" (strategy relevant):');
const inject = injectMemory({ strategy: 'relevant', maxMemories: 5, minRelevance: 0.3 });
console.log((await inject(memory, { userId: 'alice', query: 'trip to Lisbon' })).context);

console.log(`\nForgot bob: ${await forgetUser(memory, 'bob')} memory deleted; alice still has ${(await memory.getAll('alice')).memories.length}.`);
