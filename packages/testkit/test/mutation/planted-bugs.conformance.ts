import { testMemoryProvider } from '../../src/index.js';
import { PLANTED_BUGS, PlantedBugProvider } from './planted-bug-provider.js';

// Run by mutation.test.ts in a child vitest: the reference without a bug, then one run per planted bug.
testMemoryProvider({
  name: 'planted bug: none',
  create: () => new PlantedBugProvider(undefined),
  createBroken: () => new PlantedBugProvider(undefined, true),
});
for (const bug of PLANTED_BUGS) {
  testMemoryProvider({
    name: `planted bug: ${bug}`,
    create: () => new PlantedBugProvider(bug),
    createBroken: () => new PlantedBugProvider(bug, true),
  });
}
