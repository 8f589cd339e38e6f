/**
 * Reads an environment variable where one exists (Node, Workers with nodejs_compat) without
 * naming the bare `process` global, which is undefined on other edge runtimes.
 */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === '' ? undefined : value;
}
