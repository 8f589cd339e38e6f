import { pathToFileURL } from 'node:url';

export interface ExampleOptions {
  /** Default: MEM0_API_KEY. */
  apiKey?: string;
  /** Default: the Mem0 cloud; MEM0_BASE_URL points the examples at another server. */
  baseUrl?: string;
}

/** Runs an example when its file is executed directly, with MEM0_API_KEY / MEM0_BASE_URL from the environment. */
export async function runIfMain(moduleUrl: string, example: (options: ExampleOptions) => Promise<unknown>): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  console.log(await example({ apiKey: process.env.MEM0_API_KEY, baseUrl: process.env.MEM0_BASE_URL }));
}
