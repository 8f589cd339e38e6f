/** Case, spacing and Unicode form do not make a memory new. */
export function normalizeForRepeat(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The ASCII characters `\s` matches: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * Whether `memory` normalizes (as `normalizeForRepeat`) to `normalized`. Every chat checks each
 * recalled memory, and most are ASCII, where NFKC changes nothing: those are compared in place,
 * upper case read as lower and a run of spaces as one, stopping at the first difference instead
 * of building three strings per memory. Any other text is normalized in full.
 */
export function normalizesTo(memory: string, normalized: string): boolean {
  if (NON_ASCII.test(memory)) return normalizeForRepeat(memory) === normalized;
  let matched = 0;
  let spaceBefore = false;
  for (let index = 0; index < memory.length; index++) {
    let code = memory.charCodeAt(index);
    if (isAsciiSpace(code)) {
      // Leading spaces are trimmed; a run inside the text reads as one space, trailing ones are trimmed.
      spaceBefore = matched > 0;
      continue;
    }
    if (spaceBefore) {
      if (normalized.charCodeAt(matched) !== 0x20) return false;
      matched++;
      spaceBefore = false;
    }
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (normalized.charCodeAt(matched) !== code) return false;
    matched++;
  }
  return matched === normalized.length;
}
