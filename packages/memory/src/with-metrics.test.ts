import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from './in-memory/in-memory-provider.js';
import { MemoryValidationError } from './spec/memory-error.js';
import { withMetrics, type MemoryOperationEvent } from './with-metrics.js';

describe('withMetrics', () => {
  it('reports every call with its operation, provider, duration and outcome', async () => {
    const events: MemoryOperationEvent[] = [];
    const provider = withMetrics(new InMemoryProvider(), { record: (event) => events.push(event) });
    const id = await provider.add('u', [{ role: 'user', content: 'Likes jazz' }]);
    await provider.search('u', 'jazz');
    await provider.getAll('u');
    await provider.get('u', id);
    await provider.delete('u', id);
    await provider.deleteAll('u');
    await expect(provider.search('', 'jazz')).rejects.toThrow(MemoryValidationError);
    expect(events.map((event) => [event.operation, event.outcome])).toEqual([
      ['add', 'success'],
      ['search', 'success'],
      ['getAll', 'success'],
      ['get', 'success'],
      ['delete', 'success'],
      ['deleteAll', 'success'],
      ['search', 'error'],
    ]);
    expect(events.every((event) => event.provider === 'in-memory' && event.durationMs >= 0)).toBe(true);
    expect(events.at(-1)!.errorType).toBe('MemoryValidationError');
    expect(provider.capabilities).toEqual(new InMemoryProvider().capabilities);
    expect(provider.specificationVersion).toBe('v1');
  });

  it('never lets a failing recorder break a memory call', async () => {
    const provider = withMetrics(new InMemoryProvider(), {
      record: () => {
        throw new Error('metrics backend down');
      },
    });
    const id = await provider.add('u', [{ role: 'user', content: 'Still stored' }]);
    expect((await provider.get('u', id))?.memory).toBe('Still stored');
  });

  it('reports how many memories each call returned, deleted or wrote', async () => {
    const events: MemoryOperationEvent[] = [];
    const provider = withMetrics(new InMemoryProvider(), { record: (event) => events.push(event) });
    const id = await provider.add('u', [{ role: 'user', content: 'Likes jazz' }]);
    await provider.add('u', [{ role: 'user', content: 'Likes jazz records' }]);
    await provider.search('u', 'jazz');
    await provider.getAll('u', { limit: 1 });
    await provider.get('u', 'no-such-id');
    await provider.delete('u', id);
    await provider.deleteAll('u');
    expect(events.map((event) => [event.operation, event.recordCount])).toEqual([
      ['add', 1],
      ['add', 1],
      ['search', 2],
      ['getAll', 1],
      ['get', 0],
      ['delete', 1],
      ['deleteAll', 1],
    ]);
  });

  it('runs each call inside the recorder’s trace and ends it with the event before recording it', async () => {
    const log: string[] = [];
    let active: string | undefined;
    const inner = new InMemoryProvider();
    const search = inner.search.bind(inner);
    inner.search = (...args) => {
      log.push(`provider searched inside ${active}`);
      return search(...args);
    };
    const provider = withMetrics(inner, {
      startOperation: ({ operation }) => ({
        run: (call) => {
          active = operation;
          try {
            return call();
          } finally {
            active = undefined;
          }
        },
        end: (event) => void log.push(`end ${event.operation} ${event.outcome}`),
      }),
      record: (event) => void log.push(`record ${event.operation}`),
    });
    await provider.search('u', 'jazz');
    await expect(provider.add('', [{ role: 'user', content: 'Likes jazz' }])).rejects.toThrow(MemoryValidationError);
    expect(log).toEqual([
      'provider searched inside search',
      'end search success',
      'record search',
      'end add error',
      'record add',
    ]);
  });
});
