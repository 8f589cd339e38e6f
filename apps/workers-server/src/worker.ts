import { createReferenceAgent, referenceLimitsFrom } from '@fastagentic/http-contract/reference-agent';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { metricsHandler, PrometheusMetricsRecorder } from '@fastagentic/prometheus';
import { errorBody, type App } from 'fastagentic';
import type { ExecutionContext } from 'hono';
import { selectWorkerProviders } from './select-worker-providers.js';
import type { WorkerEnv } from './worker-env.js';

/** One app per isolate, built on the first request (bindings are not available before it). */
let app: App | undefined;

function appFor(env: WorkerEnv): App {
  if (app) return app;
  const { embedder, ...providers } = selectWorkerProviders(env);
  // Printed once per isolate, when the app is built (a Worker has no startup before its first request).
  console.log(embedder);
  const recorder = env.METRICS === 'off' ? undefined : new PrometheusMetricsRecorder();
  const limits = referenceLimitsFrom(env);
  const shared = { userIdField: env.USER_ID_FIELD, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, maxTokenLifetimeSeconds: limits.maxTokenLifetimeSeconds };
  app = createReferenceAgent({
    ...providers,
    auth: env.JWKS_URL ? { jwks: { url: env.JWKS_URL }, ...shared } : { secret: env.JWT_SECRET, ...shared },
    metrics: recorder && { recorder, handler: metricsHandler(recorder.registry), token: limits.metricsToken },
    rateLimit: limits.rateLimit,
    storageQuota: limits.storageQuota,
    memoryBudgetMs: env.MEMORY_BUDGET_MS ? Number(env.MEMORY_BUDGET_MS) : undefined,
    failClosed: env.MEMORY_FAIL_CLOSED === 'true',
    inspector: env.INSPECTOR === 'true',
  });
  return app;
}

// Workers read the module's default export.
export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> {
    let agent: App;
    try {
      agent = appFor(env);
    } catch (error) {
      if (!MemoryConfigurationError.isInstance(error)) throw error;
      console.error(error.message);
      return Response.json(errorBody('configuration_error', error.message), { status: 500 });
    }
    return agent.fetch(request, env, ctx);
  },
};
