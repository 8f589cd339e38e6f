import type { CallOptions, MemoryProvider } from '../spec/memory-provider.js';
import type { Metadata } from '../spec/schemas.js';
import type { FormationOperation, FormationPlan, FormationResult, FormationTurn, MemoryFormation } from './memory-formation.js';
import { offlineFormation } from './offline-formation.js';
import { writeProfile } from './user-profile.js';

export interface ApplyFormationOptions extends CallOptions {
  /**
   * Stores an added memory in place of `provider.add`, e.g. the App's write-behind queue, which
   * retries through an outage. Resolves to the new memory's id.
   */
  add?: (memory: { text: string; metadata: Metadata }) => Promise<string>;
  /** Checked before each operation: false stops the rest of the plan (the user was forgotten meanwhile). */
  proceed?: () => boolean;
  /**
   * When the turn was handed over (ms): sent with the adds made here (the profile, and adds
   * without `add`), so a store's forget fence refuses them if the user was forgotten since.
   */
  promisedAt?: number;
}

/**
 * Applies a plan through the provider contract: `update` (with its reason kept in history) where
 * the store has it (`capabilities.update`), else delete and add, so the superseded text is gone
 * either way and never injected as current.
 */
export async function applyFormation(
  provider: MemoryProvider,
  userId: string,
  plan: FormationPlan,
  options: ApplyFormationOptions = {},
): Promise<FormationResult> {
  const { add: addWith, proceed, promisedAt, ...call } = options;
  const addOptions = promisedAt === undefined ? call : { ...call, promisedAt };
  const result: FormationResult = { ...plan, added: [], updated: [], deleted: [] };
  const canUpdate = provider.capabilities.update === true && provider.update !== undefined;
  const add = (operation: FormationOperation & { kind: 'add' }) =>
    addWith ? addWith(operation) : provider.add(userId, [{ role: 'user', content: operation.text }], operation.metadata, addOptions);
  for (const operation of plan.operations) {
    if (proceed && !proceed()) break;
    switch (operation.kind) {
      case 'add':
        result.added.push(await add(operation));
        break;
      case 'update': {
        if (canUpdate) {
          const changes = operation.text === undefined ? { metadata: operation.metadata } : { text: operation.text, metadata: operation.metadata };
          await provider.update!(userId, operation.memoryId, changes, { ...call, reason: operation.reason });
          result.updated.push(operation.memoryId);
        } else if (operation.text !== undefined) {
          // Without update a refresh of metadata alone is skipped: re-adding would only move the memory.
          await provider.delete(userId, operation.memoryId, call);
          result.deleted.push(operation.memoryId);
          result.added.push(await add({ kind: 'add', text: operation.text, metadata: operation.metadata }));
        }
        break;
      }
      case 'delete':
        await provider.delete(userId, operation.memoryId, call);
        result.deleted.push(operation.memoryId);
        break;
      case 'profile':
        await writeProfile(provider, userId, operation.profile, { ...addOptions, reason: 'formation:profile', existing: operation.existing });
        break;
    }
  }
  return result;
}

export interface FormMemoriesOptions extends ApplyFormationOptions {
  /** Default: `offlineFormation()`. */
  formation?: MemoryFormation;
}

const DEFAULT_FORMATION = offlineFormation();

/**
 * The one path from a conversation turn to memory: plans with the formation (offline by default)
 * and applies the plan. Call it after the reply, off the reply path.
 */
export async function formMemories(provider: MemoryProvider, turn: FormationTurn, options: FormMemoriesOptions = {}): Promise<FormationResult> {
  const { formation = DEFAULT_FORMATION, ...apply } = options;
  const call: CallOptions = apply.signal ? { signal: apply.signal } : {};
  const plan = await formation.plan(provider, turn, call);
  return applyFormation(provider, turn.userId, plan, apply);
}
