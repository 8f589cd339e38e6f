export { zepThreadIdFor, zepUserIdFor } from './zep-ids.js';
export {
  ZEP_METADATA_KEY,
  ZEP_SUMMARY_MEMORY_ID,
  ZepProvider,
  type ZepProviderOptions,
  type ZepReadYourWritesOptions,
} from './zep-provider.js';
