import type { InstallScenario } from './install-scenarios.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Adds, reads back and forgets one memory; `provider` is an expression, `done` runs after. */
function roundTrip(provider: string, done = '') {
  return `
  const provider = ${provider};
  const user = 'install-check-' + process.pid + '-' + Date.now();
  const id = await provider.add(user, [{ role: 'user', content: 'Keeps bees on the roof' }]);
  const memory = await provider.get(user, id);
  if (memory?.memory !== 'Keeps bees on the roof') throw new Error('read back ' + JSON.stringify(memory));
  await provider.deleteAll(user);
  ${done}
  console.log('ok');`;
}

const esm = (imports: string, body: string) => `${imports}\n${body}\n`;
const cjs = (requires: string, body: string) => `${requires}\n(async () => {${body}\n})().catch((error) => { console.error(error); process.exit(1); });\n`;

export const SCENARIOS: InstallScenario[] = [
  {
    name: 'memory alone',
    packages: ['@fastagentic/memory'],
    esm: esm(
      `import { InMemoryProvider } from '@fastagentic/memory';\nimport { withRetry } from '@fastagentic/memory/provider';`,
      `if (typeof withRetry !== 'function') throw new Error('withRetry');${roundTrip('new InMemoryProvider()')}`,
    ),
    cjs: cjs(
      `const { InMemoryProvider } = require('@fastagentic/memory');\nconst { withRetry } = require('@fastagentic/memory/provider');`,
      `if (typeof withRetry !== 'function') throw new Error('withRetry');${roundTrip('new InMemoryProvider()')}`,
    ),
    typescript: `import { InMemoryProvider, MemoryValidationError, type MemoryProvider } from '@fastagentic/memory';
import { DEFAULT_RETRY_POLICY, withRetry } from '@fastagentic/memory/provider';
export const provider: MemoryProvider = new InMemoryProvider();
export const retry: typeof withRetry = withRetry;
export const maxRetries: number = DEFAULT_RETRY_POLICY.maxRetries;
export const isValidation = (error: unknown): boolean => MemoryValidationError.isInstance(error);
`,
  },
  {
    name: 'memory + redis + ioredis',
    packages: ['@fastagentic/memory', '@fastagentic/redis'],
    registry: ['ioredis@6.0.0'],
    esm: esm(
      `import { RedisProvider } from '@fastagentic/redis';\nimport { UpstashRedisProvider } from '@fastagentic/redis/upstash';`,
      `if (typeof UpstashRedisProvider !== 'function') throw new Error('upstash entry');${roundTrip(`new RedisProvider({ url: '${REDIS_URL}', prefix: 'install-check:' })`, 'await provider.close();')}`,
    ),
    cjs: cjs(
      `const { RedisProvider } = require('@fastagentic/redis');\nconst { UpstashRedisProvider } = require('@fastagentic/redis/upstash');`,
      `if (typeof UpstashRedisProvider !== 'function') throw new Error('upstash entry');${roundTrip(`new RedisProvider({ url: '${REDIS_URL}', prefix: 'install-check:' })`, 'await provider.close();')}`,
    ),
    typescript: `import type { MemoryProvider } from '@fastagentic/memory';
import { RedisProvider } from '@fastagentic/redis';
import { UpstashRedisProvider } from '@fastagentic/redis/upstash';
export const redis: MemoryProvider = new RedisProvider({ url: 'redis://127.0.0.1:6379', ttlSeconds: 60 });
export const upstash: MemoryProvider = new UpstashRedisProvider({ url: 'https://example.invalid', token: 't' });
`,
  },
  {
    name: 'memory + redis, no client library',
    packages: ['@fastagentic/memory', '@fastagentic/redis'],
    // Each missing optional peer is a configuration error naming the package to install.
    esm: esm(
      `import { MemoryConfigurationError } from '@fastagentic/memory';\nimport { RedisProvider } from '@fastagentic/redis';\nimport { UpstashRedisProvider } from '@fastagentic/redis/upstash';`,
      `let thrown;
  try { new RedisProvider({ url: 'redis://127.0.0.1:6379' }); } catch (error) { thrown = error; }
  if (!MemoryConfigurationError.isInstance(thrown) || !thrown.message.includes('npm install ioredis')) throw new Error('ioredis: ' + thrown);
  const upstash = new UpstashRedisProvider({ url: 'https://127.0.0.1:9', token: 't' });
  const rejected = await upstash.get('u', 'm').then(() => undefined, (error) => error);
  if (!MemoryConfigurationError.isInstance(rejected) || !rejected.message.includes('npm install @upstash/redis')) throw new Error('upstash: ' + rejected);
  console.log('ok');`,
    ),
    cjs: cjs(
      `const { MemoryConfigurationError } = require('@fastagentic/memory');\nconst { RedisProvider } = require('@fastagentic/redis');\nconst { UpstashRedisProvider } = require('@fastagentic/redis/upstash');`,
      `let thrown;
  try { new RedisProvider({ url: 'redis://127.0.0.1:6379' }); } catch (error) { thrown = error; }
  if (!MemoryConfigurationError.isInstance(thrown) || !thrown.message.includes('npm install ioredis')) throw new Error('ioredis: ' + thrown);
  const upstash = new UpstashRedisProvider({ url: 'https://127.0.0.1:9', token: 't' });
  const rejected = await upstash.get('u', 'm').then(() => undefined, (error) => error);
  if (!MemoryConfigurationError.isInstance(rejected) || !rejected.message.includes('npm install @upstash/redis')) throw new Error('upstash: ' + rejected);
  console.log('ok');`,
    ),
    // An Upstash user has neither client's types beyond the structural ones the entry declares.
    typescript: `import type { MemoryProvider } from '@fastagentic/memory';
import { UpstashRedisProvider, type UpstashScriptClient } from '@fastagentic/redis/upstash';
export const upstash: MemoryProvider = new UpstashRedisProvider({ url: 'https://example.invalid', token: 't' });
export type Client = UpstashScriptClient;
`,
  },
  {
    name: 'memory + mem0 (platform)',
    packages: ['@fastagentic/memory', '@fastagentic/mem0'],
    esm: esm(
      `import { Mem0Provider } from '@fastagentic/mem0';`,
      `const provider = new Mem0Provider({ apiKey: 'local' });
  if (provider.provider !== 'mem0') throw new Error('provider ' + provider.provider);
  console.log('ok');`,
    ),
    cjs: cjs(
      `const { Mem0Provider } = require('@fastagentic/mem0');`,
      `const provider = new Mem0Provider({ apiKey: 'local' });
  if (provider.provider !== 'mem0') throw new Error('provider ' + provider.provider);
  console.log('ok');`,
    ),
    typescript: `import type { MemoryProvider } from '@fastagentic/memory';
import { Mem0Provider } from '@fastagentic/mem0';
export const mem0: MemoryProvider = new Mem0Provider({ apiKey: 'local' });
`,
  },
  {
    name: 'fastagentic + memory',
    packages: ['@fastagentic/memory', 'fastagentic'],
    esm: esm(
      `import { InMemoryProvider } from '@fastagentic/memory';\nimport { App } from 'fastagentic';`,
      `const app = new App({ title: 'install check', memory: new InMemoryProvider(), auth: { secret: 'install-check-secret-0123456789abcdef' } });
  const response = await app.fetch(new Request('http://localhost/memories'));
  if (response.status !== 401) throw new Error('status ' + response.status);
  console.log('ok');`,
    ),
    cjs: cjs(
      `const { InMemoryProvider } = require('@fastagentic/memory');\nconst { App } = require('fastagentic');`,
      `const app = new App({ title: 'install check', memory: new InMemoryProvider(), auth: { secret: 'install-check-secret-0123456789abcdef' } });
  const response = await app.fetch(new Request('http://localhost/memories'));
  if (response.status !== 401) throw new Error('status ' + response.status);
  console.log('ok');`,
    ),
    typescript: `import { InMemoryProvider } from '@fastagentic/memory';
import { App, type AppOptions } from 'fastagentic';
const options: AppOptions = { title: 'install check', memory: new InMemoryProvider(), auth: { secret: 'install-check-secret-0123456789abcdef' } };
export const app = new App(options);
`,
  },
];

/**
 * Every scenario's packages in one project, for the TypeScript programs: tsc loads zod's and
 * the other types once per resolution instead of once per scenario.
 */
export const TYPES_PROJECT: InstallScenario = {
  name: 'typescript: every scenario',
  packages: [...new Set(SCENARIOS.flatMap((scenario) => scenario.packages))],
  registry: [...new Set(SCENARIOS.flatMap((scenario) => scenario.registry ?? []))],
  esm: "console.log('ok');\n",
  cjs: "console.log('ok');\n",
  typescript: '',
};

/** Self-hosted Mem0: its types must compile without skipLibCheck (mem0ai installed, scripts not run). */
export const SELF_HOSTED_MEM0_TYPES: InstallScenario = {
  name: 'memory + mem0 + mem0ai (self-hosted types)',
  packages: ['@fastagentic/memory', '@fastagentic/mem0'],
  registry: ['mem0ai@3.3.1'],
  esm: `import { Mem0Provider } from '@fastagentic/mem0/oss';\nif (typeof Mem0Provider !== 'function') throw new Error('oss entry');\nconsole.log('ok');\n`,
  cjs: `const { Mem0Provider } = require('@fastagentic/mem0/oss');\nif (typeof Mem0Provider !== 'function') throw new Error('oss entry');\nconsole.log('ok');\n`,
  typescript: `import type { MemoryProvider } from '@fastagentic/memory';
import { Mem0Provider } from '@fastagentic/mem0/oss';
export const selfHosted = (options: ConstructorParameters<typeof Mem0Provider>[0]): MemoryProvider => new Mem0Provider(options);
`,
};
