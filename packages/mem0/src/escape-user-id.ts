const SAFE_CHARACTER = /^[A-Za-z0-9_.@:-]$/;

/**
 * The entity id sent to Mem0 for a user id. Mem0 treats `*` as a wildcard in filters and trims
 * entity ids, so every character outside a plain safe set is percent-encoded (UTF-8). `%` is
 * always encoded, which keeps the mapping one-to-one: two user ids never share a Mem0 id.
 * Ordinary ids (`alice`, `user-42`, `a@b.example`) are sent unchanged.
 */
export function escapeUserId(userId: string): string {
  let out = '';
  for (const character of userId) out += SAFE_CHARACTER.test(character) ? character : encodeCharacter(character);
  return out;
}

function encodeCharacter(character: string): string {
  const code = character.codePointAt(0)!;
  // A lone surrogate has no UTF-8 form; `%u` never appears otherwise because `%` itself is encoded.
  if (code >= 0xd800 && code <= 0xdfff) return `%u${code.toString(16).toUpperCase()}`;
  return encodeURIComponent(character).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
