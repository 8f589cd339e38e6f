import type { Runnable, RunnableInput } from './runnable.js';

/** A runnable's reply as text deltas: its own `stream`, or `run`'s whole reply as one delta. */
export async function* streamRunnable(runnable: Runnable, input: RunnableInput): AsyncGenerator<string> {
  if (runnable.stream) {
    yield* runnable.stream(input);
    return;
  }
  yield await runnable.run(input);
}
