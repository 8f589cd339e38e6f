import { InMemoryProvider, ProviderUnavailableError } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { aiSdkEmbedder, type EmbeddingModelShape } from '../src/index.js';
import { SDK_MAJORS } from './sdk-majors.js';

/** A toy embedding: how much a text is about food, and how much about travel. */
function topics(text: string): number[] {
  const lower = text.toLowerCase();
  return [/(dinner|food|vegetarian|cook)/.test(lower) ? 1 : 0.05, /(flight|travel|lisbon|hotel)/.test(lower) ? 1 : 0.05];
}

describe.each(SDK_MAJORS)('aiSdkEmbedder on $name', (sdk) => {
  it('embeds in the model’s batch size, keeps the order, and drives semantic search', async () => {
    const model = sdk.embeddingModel(topics, 2) as EmbeddingModelShape & { doEmbedCalls?: unknown[] };
    const embedder = aiSdkEmbedder(model, { dimensions: 2 });
    const texts = ['dinner', 'flight', 'cook', 'hotel', 'food'];

    const vectors = await embedder.embed(texts);

    expect(vectors).toEqual(texts.map(topics));
    expect(embedder.dimensions).toBe(2);
    expect(embedder.modelId).toBe(`${model.provider}/${model.modelId}`);

    const memory = new InMemoryProvider({ embedder });
    await memory.add('alice', [{ role: 'user', content: 'My flight to Lisbon leaves at noon' }]);
    await memory.add('alice', [{ role: 'user', content: 'I am vegetarian' }]);
    const [best] = await memory.search('alice', 'what should I cook for dinner?');
    expect(best!.memory).toContain('vegetarian');
  });

  it('refuses vectors of the wrong length', async () => {
    const embedder = aiSdkEmbedder(sdk.embeddingModel(() => [1, 2, 3]) as EmbeddingModelShape, { dimensions: 2 });
    const error = await embedder.embed(['x']).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('expected 2');
  });
});

describe('aiSdkEmbedder failures', () => {
  const failing = (failures: { isRetryable: boolean; statusCode: number }[]): EmbeddingModelShape & { calls: number } => ({
    provider: 'test',
    modelId: 'flaky',
    maxEmbeddingsPerCall: undefined,
    supportsParallelCalls: false,
    calls: 0,
    async doEmbed({ values }) {
      const failure = failures[this.calls++];
      if (failure) throw Object.assign(new Error(`status ${failure.statusCode}`), failure);
      return { embeddings: values.map(topics) };
    },
  });

  it('retries what the SDK marks retryable', async () => {
    const model = failing([{ isRetryable: true, statusCode: 429 }]);
    expect(await aiSdkEmbedder(model).embed(['dinner'])).toEqual([topics('dinner')]);
    expect(model.calls).toBe(2);
  });

  it('gives up at once on a final failure, as a typed error with the status', async () => {
    const model = failing([{ isRetryable: false, statusCode: 401 }]);
    const error = await aiSdkEmbedder(model).embed(['dinner']).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false, statusCode: 401 });
    expect(model.calls).toBe(1);
  });
});
