/**
 * User ids that break naive key building: glob and pattern characters, separators, hash-tag
 * braces, path traversal, unicode (U+FFFD too, what a lone surrogate becomes in UTF-8), a very
 * long id, and ids that prefix one another.
 */
export const HOSTILE_USER_IDS: readonly string[] = [
  '*',
  '?',
  '[a]',
  ':',
  '{x}',
  '../',
  '..',
  '/',
  '\\',
  '%',
  '%2A',
  'a',
  'a:b',
  'a:',
  'a*',
  'a:b:c',
  '{a}:b',
  'user\nnewline',
  ' padded ',
  'ユーザー😀',
  'Ω≈ç√',
  'eve\uFFFD',
  'x'.repeat(512),
];

/**
 * User ids that are not well-formed UTF-16: an unpaired surrogate has no UTF-8 form, so a store
 * would see `eve\uD800` and `eve\uDFFF` as `eve\uFFFD`. Every provider refuses them (the core's
 * validators), naming the field.
 */
export const MALFORMED_USER_IDS: readonly string[] = ['eve\uD800', 'eve\uDFFF', '\uDC00eve', 'e\uDBFFve', 'eve\uDE00\uD83D'];
