import { frameMemoryContext, InMemoryProvider, injectMemory, MemoryConfigurationError } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { agentEndpoint, type AgentContext } from '../src/agent-endpoint.js';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { post, SECRET, tokenFor } from './helpers.js';

describe('agentEndpoint', () => {
  it('gives the handler the verified user, both memories and the injected context', async () => {
    const memory = new InMemoryProvider();
    const sessionMemory = new InMemoryProvider({ ttlSeconds: 60 });
    await memory.add('u1', [{ role: 'user', content: 'I like jazz' }]);
    await sessionMemory.add('u1', [{ role: 'user', content: 'we talked about Coltrane' }], { sessionId: 's1' });
    await sessionMemory.add('u1', [{ role: 'user', content: 'another session' }], { sessionId: 's2' });
    const seen: AgentContext[] = [];
    const app = new App({ title: 't', memory, sessionMemory, auth: { secret: SECRET } });
    app.add(
      agentEndpoint({ path: '/chat', runnable: new OfflineRunnable(), memory: injectMemory({ strategy: 'relevant' }) }, async (message, ctx) => {
        seen.push(ctx);
        const extra = await ctx.memory.search(ctx.user.id, 'jazz');
        return `${await ctx.run()} (${message}, ${extra.length} found by hand)`;
      }),
    );

    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'Any jazz tips?', sessionId: 's1' });
    expect(response.status).toBe(200);
    const ctx = seen[0]!;
    expect(ctx.user.id).toBe('u1');
    expect(ctx.sessionId).toBe('s1');
    expect(ctx.memories.map((m) => m.memory)).toEqual(['I like jazz']);
    expect(ctx.sessionMemories.map((m) => m.memory)).toEqual(['we talked about Coltrane']);
    expect(ctx.memoryContext).toBe(
      frameMemoryContext(['Relevant memories about the user:\n- I like jazz', 'Earlier in this session:\n- we talked about Coltrane']),
    );
    expect(response.body.reply).toBe('You told me you like jazz.\nEarlier in this session: 1 turn. (Any jazz tips?, 1 found by hand)');
    await app.drain();
  });

  it('without a strategy, injects nothing long-term; remember: false stores nothing', async () => {
    const memory = new InMemoryProvider();
    await memory.add('u1', [{ role: 'user', content: 'I like jazz' }]);
    const app = new App({ title: 't', memory, auth: { secret: SECRET } });
    app.agentEndpoint({ path: '/plain', runnable: new OfflineRunnable(), remember: false });
    const response = await post(app, '/plain', await tokenFor({ sub: 'u1' }), { message: 'jazz?' });
    expect(response.body.memories).toEqual([]);
    expect(app.pendingWrites).toBe(0);
    expect((await memory.getAll('u1')).memories).toHaveLength(1);
  });

  it('rejects a path without a leading slash', () => {
    const app = new App({ title: 't', memory: new InMemoryProvider(), auth: { secret: SECRET } });
    expect(() => app.agentEndpoint({ path: 'chat', runnable: new OfflineRunnable() })).toThrow(MemoryConfigurationError);
  });
});
