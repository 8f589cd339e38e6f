import { MemoryConfigurationError } from '@fastagentic/memory';

// Stands in for @fastagentic/zep and @fastagentic/mem0 when the bundle benchmark measures the
// Worker without them (wrangler --alias), to show what those SDKs weigh.
class AdapterLeftOut {
  constructor() {
    throw new MemoryConfigurationError('adapter', 'left out of this measurement build');
  }
}

export { AdapterLeftOut as Mem0Provider, AdapterLeftOut as ZepProvider };
