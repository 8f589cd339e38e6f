import { formatMemoryContext, formMemories, MemoryConfigurationError, MemoryValidationError, offlineFormation, ProviderUnavailableError, meterOperation, withMetrics, type FormationResult, type Memory, type MemoryFormation, type MemoryInjector, type MemoryOperation, type MemoryProvider, type Message, type MetricsRecorder } from '@fastagentic/memory';
import { MEMORY_LIMITS, validateUserId } from '@fastagentic/memory/provider';
import type {
  CallOptionsShape,
  FinishReasonShape,
  GenerateResultShape,
  PromptMessageShape,
  PromptPartShape,
  StreamPartShape,
  StreamResultShape,
} from './language-model-shapes.js';

/** Where a memory failure happened: reading memories before the call, or storing the turn after it. */
export type MemoryMiddlewareStage = 'inject' | 'remember';

export interface MemoryMiddlewareOptions {
  /** Long-term memory: searched before each user turn, given each finished turn. */
  memory: MemoryProvider;
  /** Session memory (a provider with a TTL): the session's latest turns are injected, each turn stored with its `sessionId`. */
  sessionMemory?: MemoryProvider;
  /** The strategy, `injectMemory({ strategy, maxMemories, budget, ... })`. Without it no long-term memory is injected. */
  inject?: MemoryInjector;
  /** Store each finished turn. Default true. */
  remember?: boolean;
  /**
   * How a finished turn becomes long-term memory. Default `offlineFormation()`: the user's
   * statements only (never the model's reply, questions or greetings), restatements refresh,
   * updates supersede, the profile is kept. `modelFormation({ model })` extracts facts with a
   * model; `false` stores the raw exchange as before.
   */
  formation?: MemoryFormation | false;
  /** Told what formation did for each turn: operations, dropped text, model calls and tokens. */
  onFormation?: (result: FormationResult, details: { userId: string }) => void;
  /**
   * The user of a call. Default: `providerOptions.fastagentic.userId`, set per call by the caller
   * (from its verified session, never from prompt text).
   */
  userId?: (params: CallOptionsShape) => string | undefined;
  /** How many of the session's latest turns to inject (with `sessionMemory` and a `sessionId`). Default 10. */
  sessionTurns?: number;
  /** How long the call waits for memories before going on without them. Default 1000 ms. */
  memoryBudgetMs?: number;
  /** Receives one event per memory read and write, e.g. `new PrometheusMetricsRecorder()`. */
  metrics?: MetricsRecorder;
  /**
   * Told about every memory failure; the model call goes on (reads) or has already answered
   * (writes). Default: a JSON line on `console.warn`.
   */
  onError?: (error: unknown, details: { stage: MemoryMiddlewareStage; userId: string }) => void;
}

/** A language model middleware (LanguageModelV2 and V3) with `flush()` for runtimes that stop after the response. */
export interface MemoryMiddleware {
  /** Marks the object as a V3 middleware for `ai` 6; `ai` 5 ignores it. */
  readonly specificationVersion: 'v3';
  transformParams: <Params extends CallOptionsShape>(options: {
    type: 'generate' | 'stream';
    params: Params;
    model: unknown;
  }) => Promise<Params>;
  wrapGenerate: <Result extends GenerateResultShape>(options: {
    doGenerate: () => PromiseLike<Result>;
    params: CallOptionsShape;
    model: unknown;
  }) => Promise<Result>;
  wrapStream: <Result extends StreamResultShape<StreamPartShape>>(options: {
    doStream: () => PromiseLike<Result>;
    params: CallOptionsShape;
    model: unknown;
  }) => Promise<Result>;
  /** Resolves once every memory write started so far has settled (failures go to `onError`). */
  flush(): Promise<void>;
}

/** One user turn: the user's last message and what was injected for it. */
interface Turn {
  userId: string;
  sessionId: string | undefined;
  /** The user's last message, as text; empty when it had no text parts. */
  userText: string;
  /** Identifies the turn within its conversation, for the per-turn cache and the write's idempotency key. */
  key: string;
  /** The user message's index in the prompt: the turn's place in its conversation. */
  position: number;
  context: string;
}

const DEFAULT_MEMORY_BUDGET_MS = 1000;
const DEFAULT_SESSION_TURNS = 10;
/** Turns whose injected context is kept for their later tool steps; older ones are dropped first. */
const MAX_OPEN_TURNS = 1000;
const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const consoleOnError: NonNullable<MemoryMiddlewareOptions['onError']> = (error, details) =>
  console.warn(
    JSON.stringify({
      level: 'warn',
      message: details.stage === 'inject' ? 'memory unavailable, calling the model without it' : 'memory write failed',
      ...details,
      ...(error instanceof Error ? { errorType: error.name, error: error.message } : { error: String(error) }),
    }),
  );

function textOf(parts: ReadonlyArray<PromptPartShape>): string {
  let text = '';
  for (const part of parts) {
    if (part.type === 'text' && typeof part.text === 'string') text += text ? `\n${part.text}` : part.text;
  }
  return text;
}

function finishedNormally(reason: FinishReasonShape | undefined): boolean {
  return (typeof reason === 'string' ? reason : reason?.unified) === 'stop';
}

function fastagenticOptions(params: CallOptionsShape): Readonly<Record<string, unknown>> | undefined {
  return params.providerOptions?.fastagentic;
}

function sessionIdOf(params: CallOptionsShape): string | undefined {
  const value = fastagenticOptions(params)?.sessionId;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SESSION_ID_PATTERN.test(value)) {
    throw new MemoryValidationError('providerOptions.fastagentic.sessionId', 'must be 1 to 128 letters, digits or . _ : -');
  }
  return value;
}

/** The caller's leading system messages stay first; the memory block follows them. */
function withSystemMessage<M extends PromptMessageShape>(prompt: ReadonlyArray<M>, content: string): M[] {
  let index = 0;
  while (index < prompt.length && prompt[index]!.role === 'system') index++;
  return [...prompt.slice(0, index), { role: 'system', content } as M, ...prompt.slice(index)];
}

/**
 * cyrb53, a fast 53-bit string hash (public domain). Two seeds give 106 bits: keys are per user,
 * so only one user's turns could ever collide. Synchronous on purpose: WebCrypto's digest is a
 * thread-pool round trip on Node, several times the cost of the whole write.
 */
function hash53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The write's idempotency key: the same turn (conversation position, message, reply) stores once. */
function turnKey(turnId: string, reply: string): string {
  const text = JSON.stringify([turnId, reply]);
  return `ai-sdk:${hash53(text, 1)}${hash53(text, 2)}`;
}

function positiveNumber(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new MemoryConfigurationError(option, 'must be a positive number');
  return value;
}

/**
 * Memory for `wrapLanguageModel({ model, middleware: memoryMiddleware({ memory, inject }) })`:
 * - before a user turn, one system message with the strategy's memories (the user's last message
 *   is the query of `relevant`) and the session's latest turns; a tool loop's later steps reuse it
 *   without searching again;
 * - once the turn finishes (`finishReason` 'stop'), the user's last message and the reply text
 *   are stored in the background (a streamed reply when its stream ends; nothing when it errors
 *   or is cancelled), with an idempotency key so a repeated write stores once.
 * Memory failures and overruns never fail the model call: they go to `onError` and `metrics`.
 */
export function memoryMiddleware(options: MemoryMiddlewareOptions): MemoryMiddleware {
  if (!options || !options.memory) throw new MemoryConfigurationError('memory', 'a long-term memory provider is required');
  const budgetMs = positiveNumber(options.memoryBudgetMs, 'memoryBudgetMs', DEFAULT_MEMORY_BUDGET_MS);
  const sessionTurns = options.sessionTurns ?? DEFAULT_SESSION_TURNS;
  if (!(Number.isInteger(sessionTurns) && sessionTurns >= 0 && sessionTurns <= 1000)) {
    throw new MemoryConfigurationError('sessionTurns', 'must be an integer between 0 and 1000');
  }
  const remember = options.remember ?? true;
  const formation = options.formation === false ? undefined : (options.formation ?? offlineFormation());
  const onError = options.onError ?? consoleOnError;
  const metrics = options.metrics;
  const { inject } = options;
  // Writes are metered by the core's wrapper; reads by `budgeted`, around the budget.
  const metered = (provider: MemoryProvider) => (metrics ? withMetrics(provider, metrics) : provider);
  const memory = options.memory;
  const sessionMemory = options.sessionMemory;
  const writableMemory = metered(memory);
  const writableSessionMemory = sessionMemory && metered(sessionMemory);

  /** Context per open turn (a promise, so concurrent steps share one search). */
  const openTurns = new Map<string, Promise<string>>();
  /** The turn of each transformed call, for the wrap hooks (which receive the same params object). */
  const turnOfParams = new WeakMap<object, Turn>();
  const pendingWrites = new Set<Promise<void>>();

  const report = (error: unknown, stage: MemoryMiddlewareStage, userId: string) => {
    try {
      onError(error, { stage, userId });
    } catch {
      // A failing hook must not turn a degraded call into a failed one.
    }
  };

  /** Runs a read within the budget: one that runs over is aborted, and reported once, as the failure it is. */
  const budgeted = <T>(
    operation: MemoryOperation,
    provider: MemoryProvider,
    read: (signal: AbortSignal) => Promise<T>,
    callSignal: AbortSignal | undefined,
  ): Promise<T> => {
    const bounded = () => {
      const controller = new AbortController();
      const signal = callSignal ? AbortSignal.any([callSignal, controller.signal]) : controller.signal;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const error = new ProviderUnavailableError(provider.provider, `no answer within ${budgetMs} ms`, { isRetryable: true });
          controller.abort(error);
          reject(error);
        }, budgetMs);
        read(signal).then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    };
    return metrics ? meterOperation(metrics, { operation, provider: provider.provider }, bounded) : bounded();
  };

  const recall = async (turn: Omit<Turn, 'context' | 'key' | 'position'>, signal: AbortSignal | undefined): Promise<string> => {
    const { userId, sessionId, userText } = turn;
    const query = userText.slice(-MEMORY_LIMITS.maxQueryLength);
    const wantsLongTerm = inject !== undefined && (inject.options.strategy !== 'relevant' || query.trim().length > 0);
    const wantsSession = sessionMemory !== undefined && sessionId !== undefined && sessionTurns > 0;
    const [longTerm, session] = await Promise.allSettled([
      wantsLongTerm
        ? budgeted(inject.options.strategy === 'relevant' ? 'search' : 'getAll', memory, (callSignal) =>
            inject(memory, { userId, query, signal: callSignal }), signal)
        : undefined,
      wantsSession
        ? budgeted('getAll', sessionMemory, (callSignal) =>
            sessionMemory.getAll(userId, { limit: sessionTurns, filters: { sessionId }, signal: callSignal }), signal)
        : undefined,
    ]);
    if (longTerm.status === 'rejected') report(longTerm.reason, 'inject', userId);
    if (session.status === 'rejected') report(session.reason, 'inject', userId);
    // One framed block for both, in the core's fixed framing.
    const injected = longTerm.status === 'fulfilled' ? longTerm.value : undefined;
    return formatMemoryContext({
      // `injectWithProfile` puts the profile first in the same block.
      profile: injected && 'profileBlock' in injected ? (injected.profileBlock as string) : undefined,
      memories: injected?.memories ?? [],
      format: inject?.options.format,
      sessionMemories: session.status === 'fulfilled' ? (session.value?.memories ?? []) : [],
    });
  };

  const userIdOf = (params: CallOptionsShape): string => {
    const field = 'providerOptions.fastagentic.userId';
    const value = options.userId ? options.userId(params) : fastagenticOptions(params)?.userId;
    if (value === undefined || value === null || value === '') {
      throw new MemoryValidationError(
        field,
        'is required: pass providerOptions: { fastagentic: { userId } } to generateText/streamText, or a userId function to memoryMiddleware',
      );
    }
    return validateUserId(value, field);
  };

  const rememberTurn = (turn: Turn, reply: string) => {
    openTurns.delete(turn.key);
    if (!remember || turn.userText.length === 0) return;
    const exchange: Message[] = [{ role: 'user', content: turn.userText }];
    if (reply.length > 0) exchange.push({ role: 'assistant', content: reply });
    const { userId, sessionId } = turn;
    const idempotencyKey = turnKey(turn.key, reply);
    // Started after the hook returns; flush() waits for it.
    const write = Promise.resolve()
      .then(async () => {
        const writes: Promise<unknown>[] = [
          formation
            ? formMemories(writableMemory, { userId, messages: exchange, source: 'ai-sdk', turn: turn.position, ...(sessionId ? { sessionId } : {}) }, {
                formation,
                // Each formed memory carries its own key, so a repeated turn stores it once.
                add: ({ text, metadata }) =>
                  writableMemory.add(userId, [{ role: 'user', content: text }], metadata, { idempotencyKey: turnKey(turn.key, text) }),
              }).then((result) => options.onFormation?.(result, { userId }))
            : writableMemory.add(userId, exchange, { source: 'ai-sdk' }, { idempotencyKey }),
        ];
        if (writableSessionMemory && sessionId) {
          writes.push(writableSessionMemory.add(userId, exchange, { sessionId }, { idempotencyKey }));
        }
        const results = await Promise.allSettled(writes);
        for (const result of results) if (result.status === 'rejected') report(result.reason, 'remember', userId);
      });
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
  };

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const userId = userIdOf(params);
      const sessionId = sessionIdOf(params);
      const { prompt } = params;
      let lastUser = prompt.length - 1;
      while (lastUser >= 0 && prompt[lastUser]!.role !== 'user') lastUser--;
      const lastUserMessage = prompt[lastUser];
      const userText = lastUserMessage && lastUserMessage.role === 'user' ? textOf(lastUserMessage.content) : '';
      // A turn is its user message at its place in the conversation: a tool loop's later steps
      // (the same prompt plus tool calls and results) find the context of their first step.
      const key = JSON.stringify([userId, sessionId ?? null, lastUser, userText]);
      let context = openTurns.get(key);
      if (context === undefined) {
        context = recall({ userId, sessionId, userText }, params.abortSignal);
        if (openTurns.size >= MAX_OPEN_TURNS) openTurns.delete(openTurns.keys().next().value!);
        openTurns.set(key, context);
      }
      const turn: Turn = { userId, sessionId, userText, key, position: lastUser, context: await context };
      const transformed = turn.context
        ? { ...params, prompt: withSystemMessage(params.prompt, turn.context) }
        : { ...params };
      turnOfParams.set(transformed, turn);
      return transformed;
    },

    async wrapGenerate({ doGenerate, params }) {
      const result = await doGenerate();
      const turn = turnOfParams.get(params);
      if (turn && finishedNormally(result.finishReason)) rememberTurn(turn, textOf(result.content));
      return result;
    },

    async wrapStream({ doStream, params }) {
      const result = await doStream();
      const turn = turnOfParams.get(params);
      if (!turn) return result;
      let reply = '';
      let finishReason: FinishReasonShape | undefined;
      let failed = false;
      const observed = result.stream.pipeThrough(
        new TransformStream<StreamPartShape, StreamPartShape>({
          transform(part, controller) {
            if (part.type === 'text-delta') {
              // V2 and V3 both name the text `delta`.
              const delta = (part as { delta?: unknown }).delta;
              if (typeof delta === 'string') reply += delta;
            } else if (part.type === 'finish') {
              finishReason = (part as { finishReason?: FinishReasonShape }).finishReason;
            } else if (part.type === 'error') {
              failed = true;
            }
            controller.enqueue(part);
          },
          // Runs only when the whole stream arrived: not on an upstream error or a cancel.
          flush() {
            if (!failed && finishedNormally(finishReason)) rememberTurn(turn, reply);
          },
        }),
      );
      return { ...result, stream: observed };
    },

    async flush() {
      while (pendingWrites.size > 0) await Promise.all(pendingWrites);
    },
  };
}
