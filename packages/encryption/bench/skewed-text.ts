// 4,000 made-up words drawn with a skew (a few common, most rare), as in real text.
const SYLLABLES = ['ka', 'lo', 'mar', 'ta', 'vi', 'su', 'bre', 'no', 'di', 'pel', 'ru', 'zan', 'fo', 'gi', 'hes', 'qui'];

/**
 * Texts of the given length from that vocabulary, with `queryWords` placed among its common
 * eighth so a query of them finds memories; the same `seed` gives the same texts.
 */
export function skewedText(queryWords: readonly string[], seed: number): (length: number) => string {
  let randomState = seed;
  const random = () => {
    randomState = (randomState * 1_103_515_245 + 12_345) % 2_147_483_648;
    return randomState / 2_147_483_648;
  };
  const vocabulary = Array.from({ length: 4_000 }, (_, i) => {
    let word = '';
    for (let n = i + 16 * 16; n > 0; n = Math.floor(n / 16)) word += SYLLABLES[n % 16];
    return word;
  });
  for (const word of queryWords) vocabulary.splice(vocabulary.length >> 3, 0, word);
  return (length) => {
    let out = '';
    while (out.length < length) out += `${vocabulary[Math.floor(random() ** 3 * vocabulary.length)]} `;
    return out.slice(0, length).trim();
  };
}
