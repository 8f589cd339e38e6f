import { testMemoryProvider } from '../../src/index.js';
import { PLANTED_BUGS, PlantedBugProvider, PlantedTables, type PlantedBug } from './planted-bug-provider.js';

// Run by mutation.test.ts in a child vitest: the reference without a bug, then one run per planted bug.
// The providers of one run share tables, and `destroy` drops them: were it called with the broken
// provider mid-suite, the reference would fail.
function testPlanted(bug: PlantedBug | undefined): void {
  const tables = new PlantedTables();
  testMemoryProvider({
    name: `planted bug: ${bug ?? 'none'}`,
    create: () => new PlantedBugProvider(bug, tables),
    createBroken: () => new PlantedBugProvider(bug, tables, true),
    destroy: () => tables.drop(),
  });
}
testPlanted(undefined);
for (const bug of PLANTED_BUGS) testPlanted(bug);
