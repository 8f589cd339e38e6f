import { formMemories, ProviderUnavailableError, type FormationTurn, type MemoryFormation, type MemoryProvider, type Metadata } from '@fastagentic/memory';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, delay } from '@fastagentic/memory/provider';
import { laterTask } from './later-task.js';

export interface FormationRunnerOptions {
  formation: MemoryFormation;
  memory: MemoryProvider;
  /**
   * Stores an added memory (the App's write-behind queue, which retries it). `promisedAt` is when
   * the turn was handed over, so a store's forget fence refuses memories of turns before a forget.
   */
  add: (userId: string, memory: { text: string; metadata: Metadata }, promisedAt: number) => Promise<void>;
  onFailure: (error: unknown, details: { formation: string }) => void;
}

/** Longest sleep between two looks at whether the user was forgotten while backing off. */
const FORGET_CHECK_MS = 100;

/**
 * Forms each turn after the reply: a user's turns in order, each retried with backoff while the
 * store is unavailable (formation reads before it writes, so an outage must not lose the turn),
 * and abandoned once the user is forgotten, so a retry can never undo a forget.
 */
export class FormationRunner {
  private readonly forming = new Map<string, Promise<void>>();
  /** Bumped by forget: a formation started under an older generation stops. */
  private readonly generations = new Map<string, number>();

  constructor(private readonly options: FormationRunnerOptions) {}

  form(turn: FormationTurn): Promise<void> {
    const { userId } = turn;
    const promisedAt = Date.now();
    const generation = this.generations.get(userId) ?? 0;
    const current = () => (this.generations.get(userId) ?? 0) === generation;
    const run = async () => {
      for (let attempt = 0; current(); attempt++) {
        try {
          await formMemories(this.options.memory, turn, {
            formation: this.options.formation,
            proceed: current,
            promisedAt,
            add: async (memory) => {
              await this.options.add(userId, memory, promisedAt);
              return '';
            },
          });
          return;
        } catch (error) {
          if (!(ProviderUnavailableError.isInstance(error) && error.isRetryable)) {
            this.options.onFailure(error, { formation: this.options.formation.name });
            return;
          }
          const until = Date.now() + backoffDelayMs({ ...DEFAULT_RETRY_POLICY, maxRetries: Number.POSITIVE_INFINITY }, attempt);
          while (current() && Date.now() < until) await delay(Math.min(FORGET_CHECK_MS, until - Date.now()));
        }
      }
    };
    // Started on the next macrotask, so the turn's formation runs after its reply is written
    // rather than in the microtasks between the handler and the response.
    const next = (this.forming.get(userId) ?? laterTask()).then(run);
    this.forming.set(userId, next);
    void next.then(() => {
      if (this.forming.get(userId) === next) this.forming.delete(userId);
    });
    return next;
  }

  /** Stops the user's formations (waiting and retrying) and resolves once none is running. */
  async forget(userId: string): Promise<void> {
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
    await this.forming.get(userId);
  }

  /** Resolves once every formation started so far has finished. */
  async drain(): Promise<void> {
    while (this.forming.size > 0) await Promise.all(this.forming.values());
  }
}
