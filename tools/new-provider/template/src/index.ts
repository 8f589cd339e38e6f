export { __Pascal__Provider, type __Pascal__ProviderOptions } from './__name__-provider.js';
export { MapStore, type __Pascal__Store, type StoredMemory } from './__name__-store.js';
