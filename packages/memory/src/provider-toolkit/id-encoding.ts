const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * base64url (RFC 4648 §5, no padding) of the UTF-8 bytes of `text`. Injective and made of
 * `A-Z a-z 0-9 - _` only, so a user id encoded this way cannot break out of a key, a path or a
 * pattern, and ids that differ in any way (case, spaces, normalization form) stay different.
 */
export function base64UrlEncode(text: string): string {
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The inverse of `base64UrlEncode`; throws on anything it did not produce. */
export function base64UrlDecode(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new TypeError('not base64url');
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  return decoder.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/**
 * `value` as one URL path segment (encodeURIComponent). `.` and `..` are refused: URLs resolve
 * them (even percent-encoded) as path steps, so a value that can be either — a user id can —
 * goes through `base64UrlEncode` first or travels in a query parameter.
 */
export function encodeUrlSegment(value: string): string {
  if (value === '.' || value === '..') throw new RangeError(`"${value}" cannot be a URL path segment`);
  return encodeURIComponent(value);
}
