/**
 * User ids that break naive key building: glob and pattern characters, separators, hash-tag
 * braces, path traversal, unicode, a very long id, and ids that prefix one another.
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
  'x'.repeat(512),
];
