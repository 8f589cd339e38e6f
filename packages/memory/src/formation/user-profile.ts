import { MemoryValidationError } from '../spec/memory-error.js';
import type { CallOptions, MemoryProvider } from '../spec/memory-provider.js';
import type { JsonValue, Memory, Metadata } from '../spec/schemas.js';
import { validateMetadata } from '../spec/validate-input.js';
import type { FactSlot } from './fact-slots.js';

/**
 * A user's working memory: a small document of stable facts (name, home, work, diet, preferences,
 * people, pets), kept up to date by formation and injected as its own block on every turn. Any
 * JSON object is accepted (an app may keep its own fields); these are the ones formation fills.
 */
export interface UserProfile {
  name?: string;
  home?: string;
  employer?: string;
  job?: string;
  diet?: string;
  age?: string;
  phone?: string;
  email?: string;
  allergies?: string[];
  /** "color" → "teal". */
  favourites?: Record<string, string>;
  /** Relation → name: "sister" → "Anna". */
  people?: Record<string, string>;
  /** Animal → name: "dog" → "Rex". */
  pets?: Record<string, string>;
  [field: string]: JsonValue | undefined;
}

/**
 * The profile is a memory of the user like any other, marked `metadata.kind: 'profile'`, so every
 * store keeps it without a schema change, `deleteAll` (forget) removes it, and `history` records
 * its versions. Its text is the readable block; `metadata.profile` holds the document.
 */
export const PROFILE_KIND = 'profile';

/** The memory holding the user's profile, or null when they have none yet. */
export async function findProfileMemory(provider: MemoryProvider, userId: string, options: CallOptions = {}): Promise<Memory | null> {
  const page = await provider.getAll(userId, { limit: 1, filters: { kind: PROFILE_KIND }, ...options });
  return page.memories[0] ?? null;
}

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The user's profile document; `{}` when they have none. */
export async function readProfile(provider: MemoryProvider, userId: string, options: CallOptions = {}): Promise<UserProfile> {
  const memory = await findProfileMemory(provider, userId, options);
  const profile = memory?.metadata.profile;
  return isPlainObject(profile) ? (profile as UserProfile) : {};
}

/** Checks a profile sent by a client: a JSON object within the metadata limits, else MemoryValidationError('profile'). */
export function validateProfile(value: unknown, field = 'profile'): UserProfile {
  if (!isPlainObject(value)) throw new MemoryValidationError(field, 'must be a JSON object');
  return validateMetadata(value, field) as UserProfile;
}

const LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  home: 'Lives in',
  employer: 'Works at',
  job: 'Job',
  diet: 'Diet',
  age: 'Age',
  phone: 'Phone',
  email: 'Email',
  allergies: 'Allergic to',
  favourites: 'Favourites',
  people: 'People',
  pets: 'Pets',
};

function describeValue(value: JsonValue): string {
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  if (isPlainObject(value)) {
    return Object.entries(value)
      .map(([key, item]) => (item === key || item === true ? key : `${key}: ${describeValue(item)}`))
      .join(', ');
  }
  return String(value);
}

/** The profile as the block a model reads: `About the user:` and one line per field; '' when empty. */
export function formatProfile(profile: UserProfile): string {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(profile)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'object' && Object.keys(value).length === 0) continue;
    lines.push(`- ${LABELS[field] ?? field}: ${describeValue(value).replaceAll('\n', ' ')}`);
  }
  return lines.length === 0 ? '' : `About the user:\n${lines.join('\n')}`;
}

/** Stores `profile` as the user's profile (updating the memory in place where the store can). */
export async function writeProfile(
  provider: MemoryProvider,
  userId: string,
  profile: UserProfile,
  options: CallOptions & { reason?: string; existing?: Memory | null; promisedAt?: number } = {},
): Promise<void> {
  const { reason = 'user', existing: given, promisedAt, ...call } = options;
  const existing = given === undefined ? await findProfileMemory(provider, userId, call) : given;
  const text = formatProfile(profile) || 'About the user: nothing yet';
  const metadata: Metadata = { kind: PROFILE_KIND, profile: profile as Metadata };
  if (existing && provider.update && provider.capabilities.update) {
    await provider.update(userId, existing.id, { text, metadata }, { ...call, reason });
    return;
  }
  if (existing) await provider.delete(userId, existing.id, call);
  await provider.add(userId, [{ role: 'user', content: text }], metadata, promisedAt === undefined ? call : { ...call, promisedAt });
}

function withEntry(record: JsonValue | undefined, key: string, value: string): Record<string, string> {
  return { ...(isPlainObject(record) ? (record as Record<string, string>) : {}), [key]: value };
}

/** The profile with what the facts state; the same object (no change) when they add nothing. */
export function applyFacts(profile: UserProfile, facts: readonly FactSlot[]): UserProfile {
  let next = profile;
  const set = (field: string, value: JsonValue) => {
    if (JSON.stringify(next[field]) === JSON.stringify(value)) return;
    next = { ...next, [field]: value };
  };
  for (const { slot, value } of facts) {
    const [kind, key = ''] = slot.split(':', 2);
    if (kind === 'favourite') set('favourites', withEntry(next.favourites, key, value));
    else if (kind === 'person') set('people', withEntry(next.people, key, value));
    else if (kind === 'pet') set('pets', withEntry(next.pets, key, value));
    else if (kind === 'allergy') {
      const allergies = Array.isArray(next.allergies) ? next.allergies : [];
      if (!allergies.includes(value)) set('allergies', [...allergies, value]);
    } else set(kind!, value);
  }
  return next;
}
