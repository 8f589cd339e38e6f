import { base64UrlEncode } from '@fastagentic/memory/provider';

/** Zep user ids are kept to this charset and length; anything else is encoded. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ENCODED_LENGTH = 88;

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The Zep user id for a FastAgentic user id: deterministic, and injective in practice.
 * Each form has its own prefix so the three never collide: `u_` keeps a safe id as it is,
 * `b_` is the base64url of the UTF-8 bytes (reversible, for short hostile ids), `h_` is a
 * SHA-256 for long ones. `namespace` keeps several apps (or test runs) apart in one project:
 * `n-<namespace>_` cannot start an id without one, and a namespace has no `_`, so none collide.
 * At most 2 + 16 + 1 + 2 + 88 = 109 characters (116 for the thread id).
 */
export async function zepUserIdFor(userId: string, namespace = ''): Promise<string> {
  const prefix = namespace === '' ? '' : `n-${namespace}_`;
  if (SAFE_ID.test(userId)) return `${prefix}u_${userId}`;
  const encoded = base64UrlEncode(userId);
  if (encoded.length <= MAX_ENCODED_LENGTH) return `${prefix}b_${encoded}`;
  return `${prefix}h_${await sha256Hex(userId)}`;
}

/** The one thread the adapter writes a user's messages to. */
export function zepThreadIdFor(zepUserId: string): string {
  return `${zepUserId}-memory`;
}
