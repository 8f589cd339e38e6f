// The one name the workerd tests import from the runtime; the full Workers types are not needed.
declare module 'cloudflare:workers' {
  export const env: Record<string, unknown>;
}
