import { describe, expect, it } from 'vitest';
import { matchesFilter, parseMemoryFilter, type FilterNode } from '../spec/memory-filter.js';
import type { JsonValue, Memory, MemoryFilter } from '../index.js';
import { compileFilter } from './compile-filter.js';

/** A small deterministic PRNG, so every run sees the same "random" cases. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

const VALUES: JsonValue[] = ['a', 'b', '', '1', 1, 0, -0, 2.5, true, false, null];
const FIELDS = ['x', 'y', 'categories', 'constructor'];

describe('compileFilter', () => {
  it('decides as matchesFilter on random memories and filters, in and nin lists included', () => {
    const random = seeded(25);
    const value = (): JsonValue => {
      const roll = random.int(10);
      if (roll === 0) return [random.pick(VALUES), random.pick(VALUES)];
      if (roll === 1) return { nested: random.pick(VALUES) };
      if (roll === 2) return [];
      return random.pick(VALUES);
    };
    const primitive = () => random.pick(VALUES.filter((item) => item !== null)) as string | number | boolean;
    const filter = (depth: number): MemoryFilter => {
      const roll = random.int(depth > 2 ? 6 : 9);
      const field = random.pick(FIELDS);
      if (roll < 3) return { [field]: { [random.pick(['in', 'nin'])]: Array.from({ length: random.int(4) + 1 }, primitive) } };
      if (roll < 5) return { [field]: { [random.pick(['eq', 'ne', 'contains'])]: primitive() } };
      if (roll === 5) return { [field]: { [random.pick(['gt', 'lte'])]: random.pick(['a', '1', 0, 2.5]) } };
      if (roll === 6) return { AND: [filter(depth + 1), filter(depth + 1)] };
      if (roll === 7) return { OR: [filter(depth + 1), filter(depth + 1)] };
      return { NOT: filter(depth + 1) };
    };
    for (let round = 0; round < 2_000; round++) {
      const metadata: Record<string, JsonValue> = {};
      for (const field of ['x', 'y']) if (random.int(3) > 0) metadata[field] = value();
      const memory: Memory = { id: 'm', userId: 'u', memory: 'text', metadata, createdAt: '', updatedAt: '' };
      if (random.int(2) === 0) memory.categories = [String(random.pick(VALUES))];
      const node = parseMemoryFilter(filter(0)) as FilterNode;
      expect(compileFilter(node)(memory), JSON.stringify({ node, memory })).toBe(matchesFilter(memory, node));
    }
  });
});
