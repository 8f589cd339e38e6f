import { MemoryConfigurationError, MemoryValidationError, ProviderUnavailableError } from '@fastagentic/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mem0Provider } from '../src/oss.js';
import { EMBEDDING_DIMS, localSelfHostedConfig, OpenAICompatibleServer } from './openai-compatible-server.js';

const llm = new OpenAICompatibleServer();
beforeAll(async () => {
  await llm.start();
});
afterAll(() => llm.stop());

async function captureError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('self-hosted Mem0Provider', () => {
  it('needs a config, naming it', () => {
    const error = (() => {
      try {
        new Mem0Provider({} as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(MemoryConfigurationError.isInstance(error)).toBe(true);
    expect((error as MemoryConfigurationError).option).toBe('config');
  });

  it('takes the config in mem0ai camelCase too, and drives the configured LLM and embedder', async () => {
    const provider = new Mem0Provider({
      config: {
        vectorStore: { provider: 'memory', config: { dimension: EMBEDDING_DIMS, dbPath: ':memory:' } },
        llm: { provider: 'openai', config: { apiKey: 'local', baseURL: llm.url, model: 'camel-llm' } },
        embedder: { provider: 'openai', config: { apiKey: 'local', baseURL: llm.url, model: 'camel-embedder', embeddingDims: EMBEDDING_DIMS } },
        historyStore: { provider: 'memory', config: {} },
      },
    });
    const id = await provider.add('camel', [{ role: 'user', content: 'Keeps bees on the roof' }], { category: 'hobbies' });
    expect(await provider.get('camel', id)).toMatchObject({ memory: 'Keeps bees on the roof', categories: ['hobbies'] });
    const models = llm.calls.map((call) => (call.body as { model?: string }).model);
    expect(models).toContain('camel-llm');
    expect(models).toContain('camel-embedder');
  });

  it('infer: false stores each message as given without asking the LLM', async () => {
    const provider = new Mem0Provider({ config: localSelfHostedConfig(llm.url), infer: false });
    expect(provider.capabilities.storage).toBe('verbatim');
    const chats = llm.calls.filter((call) => call.path === '/v1/chat/completions').length;
    const id = await provider.add('verbatim', [{ role: 'user', content: 'Exact words: "quotes" \\ back\\slash' }]);
    expect((await provider.get('verbatim', id))!.memory).toBe('Exact words: "quotes" \\ back\\slash');
    expect(llm.calls.filter((call) => call.path === '/v1/chat/completions').length).toBe(chats);
  });

  it('rejects metadata keys that self-hosted Mem0 keeps in the same payload', async () => {
    const provider = new Mem0Provider({ config: localSelfHostedConfig(llm.url) });
    const error = await captureError(() => provider.add('u', [{ role: 'user', content: 'x' }], { data: 'clash' }));
    expect(MemoryValidationError.isInstance(error)).toBe(true);
    expect((error as MemoryValidationError).field).toBe('metadata.data');
  });

  it('an unreachable LLM is a retryable ProviderUnavailableError', { timeout: 20_000 }, async () => {
    const provider = new Mem0Provider({ config: localSelfHostedConfig('http://127.0.0.1:9/v1') });
    const error = await captureError(() => provider.add('u', [{ role: 'user', content: 'Never stored' }]));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
  });
});
