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
export { FORMATION_ANSWER_SCHEMA, FORMATION_PROMPT_VERSION, FORMATION_SYSTEM_PROMPT, formationUserPrompt } from './formation-prompts.js';
export {
  FormationAnswerError,
  modelFormation,
  parseFormationAnswer,
  type FormationModelShape,
  type ModelFormationOptions,
} from './model-formation.js';
