/**
 * British spellings mapped to American ones before stemming, so "favourite colour" and "favorite
 * color" give the same terms. Whole words only: a rule such as -our → -or would break "four",
 * "hour" and "tour". Inflections (-s, -ed, -ing, -ite...) are found through SUFFIXES.
 */
const BRITISH_TO_AMERICAN: ReadonlyMap<string, string> = new Map(
  (
    'colour color|favour favor|favourite favorite|flavour flavor|honour honor|humour humor|labour labor|' +
    'neighbour neighbor|behaviour behavior|harbour harbor|rumour rumor|armour armor|odour odor|vapour vapor|' +
    'savour savor|endeavour endeavor|parlour parlor|glamour glamor|tumour tumor|vigour vigor|' +
    'centre center|theatre theater|metre meter|litre liter|fibre fiber|calibre caliber|' +
    'organise organize|organisation organization|realise realize|recognise recognize|apologise apologize|' +
    'analyse analyze|paralyse paralyze|criticise criticize|memorise memorize|specialise specialize|' +
    'customise customize|prioritise prioritize|summarise summarize|emphasise emphasize|minimise minimize|' +
    'defence defense|offence offense|licence license|practise practice|pretence pretense|' +
    'catalogue catalog|dialogue dialog|analogue analog|programme program|cheque check|' +
    'grey gray|mum mom|aeroplane airplane|jewellery jewelry|pyjamas pajamas|mould mold|plough plow|' +
    'moustache mustache|sceptical skeptical|ageing aging|tyre tire|aluminium aluminum|yoghurt yogurt|' +
    'travelled traveled|travelling traveling|traveller traveler|travellers travelers|cancelled canceled|' +
    'cancelling canceling|labelled labeled|labelling labeling|modelling modeling|fuelled fueled|' +
    'counsellor counselor|jeweller jeweler|woollen woolen|enrol enroll|enrolment enrollment|' +
    'fulfil fulfill|skilful skillful|instalment installment|maths math|doughnut donut|cosy cozy|' +
    'storey story|kerb curb|manoeuvre maneuver|oestrogen estrogen|paediatrician pediatrician|' +
    'anaemia anemia|haemoglobin hemoglobin|encyclopaedia encyclopedia|orthopaedic orthopedic'
  )
    .split('|')
    .map((pair) => pair.split(' ') as [string, string]),
);

// Words whose first four letters start no British spelling skip the suffix search (most words).
const PREFIXES: ReadonlySet<string> = new Set([...BRITISH_TO_AMERICAN.keys()].map((word) => word.slice(0, 4)));

const SUFFIXES = ['s', 'es', 'ed', 'd', 'ing', 'ite', 'ites', 'ful', 'less', 'able', 'ably', 'er', 'ers', 'ation', 'ations'];

/** The American spelling of a lower-cased, accent-folded word, or the word itself. */
export function americanSpelling(word: string): string {
  const whole = BRITISH_TO_AMERICAN.get(word);
  if (whole !== undefined) return whole;
  if (!PREFIXES.has(word.slice(0, 4))) return word;
  for (const suffix of SUFFIXES) {
    if (word.length <= suffix.length + 2 || !word.endsWith(suffix)) continue;
    const base = word.slice(0, -suffix.length);
    const american = BRITISH_TO_AMERICAN.get(base) ?? BRITISH_TO_AMERICAN.get(`${base}e`);
    if (american !== undefined) return american.endsWith('e') && !BRITISH_TO_AMERICAN.has(base) ? `${american.slice(0, -1)}${suffix}` : `${american}${suffix}`;
  }
  return word;
}
