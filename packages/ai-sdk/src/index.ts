export { aiSdkEmbedder, type AiSdkEmbedder, type AiSdkEmbedderOptions, type EmbeddingModelShape } from './ai-sdk-embedder.js';
export type {
  CallOptionsShape,
  FinishReasonShape,
  GenerateResultShape,
  PromptMessageShape,
  PromptPartShape,
  StreamPartShape,
  StreamResultShape,
} from './language-model-shapes.js';
export {
  memoryMiddleware,
  type MemoryMiddleware,
  type MemoryMiddlewareOptions,
  type MemoryMiddlewareStage,
} from './memory-middleware.js';
