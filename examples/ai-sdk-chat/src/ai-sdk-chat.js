// Memory for Vercel AI SDK calls: wrap any model with memoryMiddleware, pass the user per call.
// The model here is the SDK's offline mock; it answers with what it was told, so the injected
// memories show. Swap in openai('gpt-4o-mini') (or any provider) and nothing else changes.
import { memoryMiddleware } from '@fastagentic/ai-sdk';
import { InMemoryProvider, injectMemory, injectWithProfile, MEMORY_CONTEXT_FRAMING } from '@fastagentic/memory';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 0, text: 0, reasoning: undefined },
};

/** What the model was told about the user: the bullets of the memory block the middleware injected. */
function recalled(prompt) {
  const block = prompt.find((message) => message.role === 'system' && message.content.includes(MEMORY_CONTEXT_FRAMING.begin));
  if (!block) return 'nothing yet';
  const notes = block.content.split('\n').filter((line) => line.startsWith('- '));
  return notes.map((line) => `"${line.slice(2)}"`).join(', ');
}

const model = new MockLanguageModelV3({
  doGenerate: async ({ prompt }) => ({
    content: [{ type: 'text', text: `Noted. (I knew: ${recalled(prompt)})` }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage,
    warnings: [],
  }),
  doStream: async ({ prompt }) => {
    const words = `Since you told me: ${recalled(prompt)}, try a chickpea curry.`.split(/(?<= )/);
    return {
      stream: new ReadableStream({
        start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: [] });
          controller.enqueue({ type: 'text-start', id: 't' });
          for (const delta of words) controller.enqueue({ type: 'text-delta', id: 't', delta });
          controller.enqueue({ type: 'text-end', id: 't' });
          controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage });
          controller.close();
        },
      }),
    };
  },
});

const memory = new InMemoryProvider();
// Each turn forms memories from what the user said (never the model's reply, a question or a greeting);
// the user's profile is injected on every turn beside the memories relevant to the message.
const middleware = memoryMiddleware({ memory, inject: injectWithProfile(injectMemory({ strategy: 'relevant', maxMemories: 5, minRelevance: 0.3 })) });
const chatModel = wrapLanguageModel({ model, middleware });
// The user comes from your session or token, never from the prompt.
const as = (userId) => ({ fastagentic: { userId } });

const first = await generateText({ model: chatModel, prompt: 'I am vegetarian and I love spicy food', providerOptions: as('alice') });
console.log(`alice> I am vegetarian and I love spicy food\nmodel> ${first.text}`);
await middleware.flush(); // the turn is stored in the background; serverless code awaits it before returning

process.stdout.write('alice> What should I cook tonight, something spicy?\nmodel> ');
const second = streamText({ model: chatModel, prompt: 'What should I cook tonight, something spicy?', providerOptions: as('alice') });
for await (const delta of second.textStream) process.stdout.write(delta);
process.stdout.write('\n');
await middleware.flush();

const third = await generateText({ model: chatModel, prompt: 'What should I cook tonight, something spicy?', providerOptions: as('bob') });
console.log(`bob>   What should I cook tonight, something spicy?\nmodel> ${third.text}`);
await middleware.flush();

const stored = async (userId) => (await memory.getAll(userId)).memories.map((kept) => kept.memory.replaceAll('\n', ' '));
console.log(`\nStored for alice: ${JSON.stringify(await stored('alice'))}; for bob: ${JSON.stringify(await stored('bob'))}.`);
