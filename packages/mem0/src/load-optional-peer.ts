import { MemoryConfigurationError } from '@fastagentic/memory';

function isMissingModule(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) && message.includes(packageName);
}

/**
 * Loads an optional peer dependency on first use. When it is not installed, the failure is a
 * MemoryConfigurationError naming the package to install, not a bare "Cannot find module".
 */
export async function loadOptionalPeer<T>(packageName: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingModule(error, packageName)) throw error;
    throw new MemoryConfigurationError(packageName, `${feature} needs the optional peer dependency ${packageName}: npm install ${packageName}`, {
      cause: error,
    });
  }
}
