import { formMemories, InMemoryProvider, injectMemory, injectWithProfile, readProfile, type FormationTurn } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { FORMATION_PROMPT_VERSION, memoryMiddleware, modelFormation, type FormationModelShape } from '../src/index.js';
import { SDK_MAJORS, type RecordedModel } from './sdk-majors.js';

const turn = (content: string): FormationTurn => ({
  userId: 'alice',
  messages: [
    { role: 'user', content },
    { role: 'assistant', content: 'I have no memory of that.' },
  ],
  sessionId: 's1',
  turn: 3,
});

const answer = (value: unknown) => JSON.stringify(value);

async function facts(memory: InMemoryProvider): Promise<string[]> {
  return (await memory.getAll('alice', { filters: { kind: 'fact' } })).memories.map((stored) => stored.memory);
}

describe.each(SDK_MAJORS)('modelFormation on $name', (sdk) => {
  const model = (recorded: RecordedModel) => recorded as unknown as FormationModelShape;

  it('adds the facts the model extracts, with provenance and the profile, in one call per turn', async () => {
    const memory = new InMemoryProvider();
    const inner = sdk.textModel([answer({ facts: [{ text: 'I live in Paris', action: 'add' }], profile: { home: 'Paris' } })]);
    const result = await formMemories(memory, turn('Hi! I live in Paris. What is nice here?'), { formation: modelFormation({ model: model(inner) }) });

    expect(await facts(memory)).toEqual(['I live in Paris']);
    expect(await readProfile(memory, 'alice')).toEqual({ home: 'Paris' });
    expect(result.usage).toEqual({ calls: 1, inputTokens: 3, outputTokens: 5 });
    const [stored] = (await memory.getAll('alice', { filters: { kind: 'fact' } })).memories;
    expect(stored!.metadata).toMatchObject({ session: 's1', turn: 3, slot: 'home', value: 'Paris' });
    expect(String(stored!.metadata.formedBy)).toContain(FORMATION_PROMPT_VERSION);
    // The model read the user's words and never the assistant's.
    const prompt = JSON.stringify(inner.doGenerateCalls[0]!.prompt);
    expect(prompt).toContain('I live in Paris. What is nice here?');
    expect(prompt).not.toContain('I have no memory of that.');
  });

  it('an update supersedes the memory it names: history keeps the old text, injection never shows it', async () => {
    const memory = new InMemoryProvider();
    const paris = await memory.add('alice', [{ role: 'user', content: 'I live in Paris' }], { kind: 'fact', slot: 'home', value: 'Paris' });
    const inner = sdk.textModel([answer({ facts: [{ text: 'I live in Berlin', action: 'update', memory: 1 }], profile: { home: 'Berlin' } })]);
    await formMemories(memory, turn('I moved to Berlin'), { formation: modelFormation({ model: model(inner) }) });

    expect(await facts(memory)).toEqual(['I live in Berlin']);
    expect(JSON.stringify(inner.doGenerateCalls[0]!.prompt)).toContain('1. I live in Paris');
    expect((await memory.history!('alice', paris)).at(-1)).toMatchObject({ event: 'update', previousText: 'I live in Paris', reason: 'formation:superseded' });
    const { context } = await injectWithProfile(injectMemory({ strategy: 'all' }))(memory, { userId: 'alice' });
    expect(context).toContain('Berlin');
    expect(context).not.toContain('Paris');
  });

  it('falls back to offline formation when the call fails or the answer is malformed', async () => {
    for (const inner of [sdk.failingModel(new Error('rate limited')), sdk.textModel(['Sure! Here are the facts: I live in Berlin.'])]) {
      const memory = new InMemoryProvider();
      await formMemories(memory, turn('I live in Paris'));
      const failures: unknown[] = [];
      const result = await formMemories(memory, turn('I moved to Berlin.'), {
        formation: modelFormation({ model: model(inner), onFallback: (error) => failures.push(error) }),
      });

      expect(failures).toHaveLength(1);
      expect(result.formedBy).toBe('offline (fallback)');
      expect(result.usage.calls).toBe(1);
      expect((await memory.getAll('alice')).memories.map((stored) => stored.memory)).toContain('I moved to Berlin');
      expect((await memory.getAll('alice')).memories.map((stored) => stored.memory)).not.toContain('I live in Paris');
    }
  });

  it('runs behind the middleware: the chat model answers, the formation model forms', async () => {
    const memory = new InMemoryProvider();
    const formationModel = sdk.textModel([answer({ facts: [{ text: 'I am vegetarian', action: 'add' }], profile: { diet: 'vegetarian' } })]);
    const middleware = memoryMiddleware({ memory, inject: injectMemory({ strategy: 'relevant' }), formation: modelFormation({ model: model(formationModel) }) });
    const chat = sdk.wrap(sdk.textModel(['assistant: I have no memory of that.']), middleware);

    await sdk.generateText({ model: chat, prompt: 'I am vegetarian, what should I cook?', userId: 'alice' });
    await middleware.flush();

    expect(await facts(memory)).toEqual(['I am vegetarian']);
    expect(await readProfile(memory, 'alice')).toEqual({ diet: 'vegetarian' });
  });
});
