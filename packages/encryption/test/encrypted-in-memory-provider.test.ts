import { InMemoryProvider } from '@fastagentic/memory';
import { CONFORMANCE_FILTER_FIELDS, testMemoryProvider } from '@fastagentic/testkit';
import { withEncryption } from '../src/index.js';
import { describeEncryptionGuarantees, randomKey } from './describe-encryption-guarantees.js';

// The fields the conformance filter tests use; everything else stays unfilterable.
const options = { key: randomKey(), filterableFields: CONFORMANCE_FILTER_FIELDS };

testMemoryProvider({
  name: 'withEncryption(InMemoryProvider)',
  create: () => withEncryption(new InMemoryProvider(), options),
  createWithTtl: (ttlSeconds) => withEncryption(new InMemoryProvider({ ttlSeconds }), options),
});

describeEncryptionGuarantees({
  name: 'InMemoryProvider',
  createBackend: () => new InMemoryProvider(),
  // Every string anywhere inside the provider object: its maps, its records, any index it built.
  dumpBackend: async (backend) => JSON.stringify(collectStrings(backend)),
});

function collectStrings(value: unknown, seen = new Set<unknown>(), out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return out;
  seen.add(value);
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  for (const child of children) collectStrings(child, seen, out);
  return out;
}
