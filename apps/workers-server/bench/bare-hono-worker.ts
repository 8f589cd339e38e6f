import { Hono } from 'hono';

// The baseline bundle: Hono alone. Workers read the module's default export.
export default new Hono().get('/', (c) => c.text('ok'));
