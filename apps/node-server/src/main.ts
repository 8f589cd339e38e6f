import { startNodeServer } from './start-node-server.js';

const server = await startNodeServer();
console.log(`FastAgentic reference agent listening on ${server.url}`);
for (const line of server.description) console.log(`  ${line}`);
const { demo, url } = server;
if (demo) {
  console.log(`
No JWT_SECRET set: using the demo secret kept in the data folder (FASTAGENTIC_DATA_DIR). A token for "${demo.userId}" (valid 24 h):

  export TOKEN=${demo.token}

Try:
  curl -s ${url}/memories -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"content":"My favourite colour is teal"}'
  curl -s ${url}/chat -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"message":"Which colour is my favourite?","sessionId":"s1"}'
  curl -s "${url}/memories/search?query=colour" -H "Authorization: Bearer $TOKEN"
  curl -s -X DELETE ${url}/users/${demo.userId}/memories -H "Authorization: Bearer $TOKEN"
  curl -s ${url}/metrics
`);
}

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing ${server.app.pendingWrites} background write(s), then exiting`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('shutdown failed', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
