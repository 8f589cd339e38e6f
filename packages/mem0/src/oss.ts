export { escapeUserId } from './escape-user-id.js';
export type { Mem0ComponentConfig, SelfHostedMem0Config } from './self-hosted-config.js';
export {
  SelfHostedMem0Provider,
  SelfHostedMem0Provider as Mem0Provider,
  type SelfHostedMem0ProviderOptions,
  type SelfHostedMem0ProviderOptions as Mem0ProviderOptions,
} from './self-hosted-mem0-provider.js';
