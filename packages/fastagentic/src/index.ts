export {
  agentEndpoint,
  runAgent,
  type AgentContext,
  type AgentEndpoint,
  type AgentEndpointOptions,
  type AgentHandler,
  type AgentReply,
} from './agent-endpoint.js';
export { aiSdkRunnable, type AiSdkRunnableOptions, type LanguageModelShape } from './ai-sdk-runnable.js';
export { App, type AppHealth, type AppLogger, type AppOptions, type StoreHealth } from './app.js';
export type { AppEnv } from './app-env.js';
export { InMemoryOutboxJournal, type OutboxJournal, type OutboxRecord } from './outbox-journal.js';
export {
  WriteBehindQueue,
  type Enqueued,
  type QueuedWrite,
  type QueueHold,
  type StoreWriteState,
  type WriteBehindQueueOptions,
  type WriteQueueLogEvent,
} from './write-behind-queue.js';
export {
  createBearerVerifier,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type AuthenticatedUser,
  type BearerAuthOptions,
  type BearerVerifier,
} from './bearer-auth.js';
export { errorBody, errorToResponse, type ErrorBody } from './error-body.js';
export { QuotaExceededError } from './quota-exceeded-error.js';
export type { UserRateLimitOptions } from './user-rate-limiter.js';
export type { StorageQuotaOptions } from './user-storage-quota.js';
export { OfflineRunnable } from './offline-runnable.js';
export { OpenAICompatibleRunnable, type OpenAICompatibleRunnableOptions } from './openai-compatible-runnable.js';
export type { Runnable, RunnableInput } from './runnable.js';
export { withTimeBudget } from './with-time-budget.js';
