// The Node entry: everything the default entry exports, with withEncryption on node:crypto.
export * from '../index.js';
export { withEncryption } from './with-encryption.js';
