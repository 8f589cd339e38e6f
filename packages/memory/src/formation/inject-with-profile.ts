import { formatMemoryContext } from '../injection/format-memory-context.js';
import { estimateTokens, type InjectedMemories, type MemoryBudget, type MemoryInjector } from '../injection/inject-memory.js';
import { MemoryValidationError, UnsupportedFilterError } from '../spec/memory-error.js';
import type { MemoryProvider } from '../spec/memory-provider.js';
import { findProfileMemory, formatProfile, PROFILE_KIND, type UserProfile } from './user-profile.js';

export interface ProfileInjectionOptions {
  /** The profile block's own budget; a longer block is cut at a line. Default 600 characters. */
  budget?: MemoryBudget;
}

export interface InjectedWithProfile extends InjectedMemories {
  /** The user's profile, `{}` when they have none. */
  profile: UserProfile;
  /** The profile as injected (within its budget); '' when empty. */
  profileBlock: string;
}

const DEFAULT_PROFILE_BUDGET: MemoryBudget = { maxCharacters: 600 };

function fitLines(block: string, budget: MemoryBudget): string {
  const measure = 'maxCharacters' in budget ? (text: string) => text.length : estimateTokens;
  const limit = 'maxCharacters' in budget ? budget.maxCharacters : budget.maxTokens;
  if (measure(block) <= limit) return block;
  const lines = block.split('\n');
  while (lines.length > 1 && measure(lines.join('\n')) > limit) lines.pop();
  return lines.length > 1 ? lines.join('\n') : '';
}

/**
 * A strategy that injects the user's profile (working memory) on every turn, as its own block
 * within its own budget, before the memories `injector` picks; the profile memory itself is never
 * among those memories. The profile is read beside the strategy's own read, not after it.
 */
export function injectWithProfile(injector: MemoryInjector, options: ProfileInjectionOptions = {}): MemoryInjector {
  const budget = options.budget ?? DEFAULT_PROFILE_BUDGET;
  const size = 'maxCharacters' in budget ? budget.maxCharacters : budget.maxTokens;
  if (!(Number.isInteger(size) && size > 0)) throw new MemoryValidationError('profile.budget', 'must be a positive integer');
  const injected = async (provider: MemoryProvider, request: Parameters<MemoryInjector>[1]): Promise<InjectedWithProfile> => {
    const [profileMemory, chosen] = await Promise.all([
      findProfileMemory(provider, request.userId, request.signal ? { signal: request.signal } : {}).catch((error: unknown) => {
        // A store that cannot filter on metadata keeps no profile.
        if (UnsupportedFilterError.isInstance(error)) return null;
        throw error;
      }),
      injector(provider, request),
    ]);
    const profile = (profileMemory?.metadata.profile ?? {}) as UserProfile;
    const memories = chosen.memories.filter((memory) => memory.metadata.kind !== PROFILE_KIND);
    const profileBlock = fitLines(formatProfile(profile), budget);
    // One framed block: the profile is stored text too, so it is data inside the same framing.
    const context = formatMemoryContext({ profile: profileBlock, memories, format: injector.options.format });
    return { memories, profile, profileBlock, context };
  };
  return Object.assign(injected, { options: injector.options });
}
