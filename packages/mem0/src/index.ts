export { escapeUserId } from './escape-user-id.js';
export {
  Mem0Provider,
  type Mem0EncryptionOptions,
  type Mem0ProviderOptions,
  type ReadYourWritesOptions,
} from './mem0-provider.js';
export { MEM0_PLATFORM_FILTERS, toMem0Filter, type Mem0Filter } from './to-mem0-filter.js';
