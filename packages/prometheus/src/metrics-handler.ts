import type { Context } from 'hono';
import type { Registry } from 'prom-client';

/** A Hono handler serving a registry in the Prometheus text format: `app.get('/metrics', metricsHandler(registry))`. */
export function metricsHandler(registry: Registry) {
  return async (c: Context): Promise<Response> => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  };
}
