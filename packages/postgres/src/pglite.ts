export { PGliteProvider, type PGliteProviderOptions } from './pglite-provider.js';
