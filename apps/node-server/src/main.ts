import { MemoryConfigurationError } from '@fastagentic/memory';
import { startNodeServer, type RunningNodeServer } from './start-node-server.js';

let server: RunningNodeServer;
try {
  server = await startNodeServer();
} catch (error) {
  // A bad setting is one line naming the variable, not a stack trace.
  if (!MemoryConfigurationError.isInstance(error)) throw error;
  console.error(`Cannot start: ${error.option}: ${error.message.replace(/^Invalid configuration "[^"]*": /, '')}`);
  process.exit(1);
}
console.log(`FastAgentic reference agent listening on ${server.url}`);
for (const line of server.description) console.log(`  ${line}`);
// A store that does not answer is not fatal (chats answer without memories and promised writes
// wait in the queue), but it is said at once rather than discovered later.
const health = await server.app.health();
for (const [store, state] of Object.entries(health.stores)) {
  if (state.state === 'down') {
    console.warn(`  warning: ${store} (${state.provider}) is not answering: ${state.error}; see ${server.url}/health`);
  }
}
const { demo, url } = server;
if (demo) {
  console.log(`
No JWT_SECRET set: using the demo secret kept in the data folder (FASTAGENTIC_DATA_DIR). A token for "${demo.userId}", kept there too (the same one at every start until it has less than an hour of its lifetime left; TOKEN_MAX_LIFETIME_SECONDS, default a day):

  export TOKEN=${demo.token}

Try:
  curl -s ${url}/memories -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"content":"My favourite colour is teal"}'
  curl -s ${url}/chat -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"message":"Which colour is my favourite?","sessionId":"s1"}'
  curl -s "${url}/memories/search?query=colour" -H "Authorization: Bearer $TOKEN"
  curl -s -X DELETE ${url}/users/${demo.userId}/memories -H "Authorization: Bearer $TOKEN"
  curl -s ${url}/metrics
`);
}

// SIGTERM drains for at most SHUTDOWN_DRAIN_MS (default 10 s), then exits 0: what is left stays in
// the outbox journal for the next start. A second signal exits at once.
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) {
    console.log(`${signal} again: exiting now, ${server.app.pendingWrites} write(s) left in the outbox journal`);
    process.exit(0);
  }
  stopping = true;
  console.log(`${signal}: finishing ${server.app.pendingWrites} background write(s), then exiting (waiting at most ${server.drainMs} ms)`);
  server.shutdown().then(
    (left) => {
      console.log(left === 0 ? 'all background writes stored' : `${left} write(s) not stored yet: left in the outbox journal for the next start`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error('shutdown failed', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
