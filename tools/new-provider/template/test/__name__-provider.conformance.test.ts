import { testMemoryProvider } from '@fastagentic/testkit';
import { __Pascal__Provider, type __Pascal__Store } from '../src/index.js';

/** A backend that cannot be reached: every call fails as a client would. */
const unreachable: __Pascal__Store = {
  insert: () => Promise.reject(new TypeError('fetch failed')),
  list: () => Promise.reject(new TypeError('fetch failed')),
  remove: () => Promise.reject(new TypeError('fetch failed')),
  removeAll: () => Promise.reject(new TypeError('fetch failed')),
};

testMemoryProvider({
  name: '__Pascal__Provider',
  create: () => new __Pascal__Provider(),
  createBroken: () => new __Pascal__Provider({ store: unreachable, retry: { maxRetries: 0 } }),
});
