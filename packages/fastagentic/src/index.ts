export {
  agentEndpoint,
  runAgent,
  type AgentContext,
  type AgentEndpoint,
  type AgentEndpointOptions,
  type AgentHandler,
} from './agent-endpoint.js';
export { App, type AppLogger, type AppOptions } from './app.js';
export type { AppEnv } from './app-env.js';
export { BackgroundTasks } from './background-tasks.js';
export {
  createBearerVerifier,
  type AuthenticatedUser,
  type BearerAuthOptions,
  type BearerVerifier,
} from './bearer-auth.js';
export { errorBody, errorToResponse, type ErrorBody } from './error-body.js';
export { OfflineRunnable } from './offline-runnable.js';
export { OpenAICompatibleRunnable, type OpenAICompatibleRunnableOptions } from './openai-compatible-runnable.js';
export type { Runnable, RunnableInput } from './runnable.js';
export { withTimeBudget } from './with-time-budget.js';
