import type { D1DatabaseBinding } from '@fastagentic/sqlite/d1';

/** The Worker's bindings: vars in wrangler.jsonc, secrets set with `wrangler secret put`. */
export interface WorkerEnv {
  /** A D1 database (wrangler.jsonc `d1_databases`): long-term (`memory_*` tables) and session (`session_*`) memory. */
  MEMORY_DB?: D1DatabaseBinding;
  JWT_SECRET?: string;
  JWKS_URL?: string;
  USER_ID_FIELD?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  SESSION_TTL_SECONDS?: string;
  MEMORY_BUDGET_MS?: string;
  MEMORY_FAIL_CLOSED?: string;
  /** `true` serves the memory inspector at /inspector. */
  INSPECTOR?: string;
  /** `off` removes the /metrics route and the recorder. */
  METRICS?: string;
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (a secret). */
  METRICS_TOKEN?: string;
  /** Per-user token bucket (default 5 a second, bursts of 60; per isolate); `RATE_LIMIT=off` turns it off. */
  RATE_LIMIT_PER_SECOND?: string;
  RATE_LIMIT_BURST?: string;
  RATE_LIMIT?: string;
  /** Per-user quota of long-term memory (default 10 000 memories, 8 MiB); `QUOTA=off` turns it off. */
  QUOTA_MAX_MEMORIES?: string;
  QUOTA_MAX_BYTES?: string;
  QUOTA?: string;
  /** Longest accepted token lifetime past `iat` (default 86 400). */
  TOKEN_MAX_LIFETIME_SECONDS?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Prepended to the Upstash key prefixes (`memory:`, `session:`), to share one database between apps. */
  MEMORY_PREFIX?: string;
  /** Long-term memory in Mem0 (platform, or MEM0_HOST); MEM0_INFER=false stores messages verbatim. */
  MEM0_API_KEY?: string;
  MEM0_HOST?: string;
  MEM0_INFER?: string;
  /** Long-term memory in Zep Cloud (or ZEP_BASE_URL). */
  ZEP_API_KEY?: string;
  ZEP_BASE_URL?: string;
  /** 32 bytes, base64: encrypts memories before they leave the Worker. */
  FASTAGENTIC_ENCRYPTION_KEY?: string;
  /** An OpenAI-compatible embeddings server for long-term memory (relevance by meaning); _MODEL, _API_KEY, _DIMENSIONS go with it. */
  FASTAGENTIC_EMBEDDER_URL?: string;
  FASTAGENTIC_EMBEDDER_MODEL?: string;
  FASTAGENTIC_EMBEDDER_API_KEY?: string;
  FASTAGENTIC_EMBEDDER_DIMENSIONS?: string;
}
