/** The Worker's bindings: vars in wrangler.jsonc, secrets set with `wrangler secret put`. */
export interface WorkerEnv {
  JWT_SECRET?: string;
  JWKS_URL?: string;
  USER_ID_FIELD?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  SESSION_TTL_SECONDS?: string;
  MEMORY_BUDGET_MS?: string;
  MEMORY_FAIL_CLOSED?: string;
  /** `off` removes the /metrics route and the recorder. */
  METRICS?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}
