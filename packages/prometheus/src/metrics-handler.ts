import type { Registry } from 'prom-client';

/** The part of a Hono `Context` the handler uses, so the package needs no hono to type-check. */
export interface MetricsHandlerContext {
  header(name: string, value: string): void;
  body(data: string): Response;
}

/** A Hono handler serving a registry in the Prometheus text format: `app.get('/metrics', metricsHandler(registry))`. */
export function metricsHandler(registry: Registry) {
  return async (c: MetricsHandlerContext): Promise<Response> => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  };
}
