import { testMemoryProvider } from '@fastagentic/testkit';
import { Mem0Provider } from '../src/oss.js';
import { localSelfHostedConfig, OpenAICompatibleServer } from './openai-compatible-server.js';

const llm = new OpenAICompatibleServer();

testMemoryProvider({
  name: 'Mem0Provider({ config }) (real mem0ai/oss Memory, local OpenAI-compatible server)',
  create: async () => new Mem0Provider({ config: localSelfHostedConfig((await llm.start()).url) }),
  destroy: () => llm.stop(),
});
