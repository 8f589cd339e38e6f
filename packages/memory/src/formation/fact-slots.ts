import { terms } from '../relevance/terms.js';

/**
 * What a first-person statement says about a stable attribute of the user. `slot` names the
 * attribute ("home", "diet", "favourite:color", "pet:dog"); `value` is what the user said it is.
 * A `single` slot holds one value at a time (where you live, your phone number), so a new value
 * supersedes the old one; the others (pets, allergies, people) add up.
 */
export interface FactSlot {
  slot: string;
  value: string;
  single: boolean;
}

interface SlotPattern {
  pattern: RegExp;
  slot: (match: RegExpMatchArray) => string;
  single: boolean;
}

// A value ends at a clause boundary: "I live in Berlin with my wife" → "Berlin".
const VALUE = "([\\p{L}\\p{N}][\\p{L}\\p{N}'’ +@.\\-]*?)";
const VALUE_END = '(?=\\s+(?:with|and|but|since|because|now|these days|for|at the moment|this|last|next|yesterday|today|recently)\\b|[,;.!]|$)';
const ANIMALS = 'dog|cat|puppy|kitten|parrot|rabbit|hamster|guinea pig|tortoise|turtle|horse|snake|lizard|goldfish|fish';
const RELATIONS =
  'wife|husband|partner|girlfriend|boyfriend|fiancée|fiancee|fiancé|fiance|sister|brother|mother|mom|mum|father|dad|son|daughter|best friend|boss|roommate|flatmate';

function named(slot: string, single: boolean, source: string): SlotPattern {
  return { pattern: new RegExp(source, 'iu'), slot: () => slot, single };
}

const SLOT_PATTERNS: SlotPattern[] = [
  named('name', true, `\\b(?:my name is|my name's|call me|i'm called|i am called)\\s+${VALUE}${VALUE_END}`),
  named('home', true, `\\bi (?:now |currently |still )?live in\\s+${VALUE}${VALUE_END}`),
  named('home', true, `\\bi(?:'ve| have)? (?:just |recently |finally )?(?:moved|relocated) to\\s+${VALUE}${VALUE_END}`),
  named('home', true, `\\b(?:i'm|i am) (?:now )?based in\\s+${VALUE}${VALUE_END}`),
  named('home', true, `\\bmy (?:new )?home is in\\s+${VALUE}${VALUE_END}`),
  named('employer', true, `\\bi (?:now |currently |still )?work (?:at|for)\\s+${VALUE}${VALUE_END}`),
  named('employer', true, `\\bi(?:'ve| have)? (?:just |recently )?(?:started (?:a new job )?(?:working )?(?:at|for)|joined)\\s+${VALUE}${VALUE_END}`),
  named('employer', true, `\\bmy (?:new )?(?:employer|company) is\\s+${VALUE}${VALUE_END}`),
  named('job', true, `\\bi (?:now )?work as (?:an? )?${VALUE}${VALUE_END}`),
  named('job', true, `\\bmy (?:new )?(?:job|role|job title|profession) is (?:an? )?${VALUE}${VALUE_END}`),
  named(
    'diet',
    true,
    `\\b(?:i'm|i am|i've become|i have become|i became|i went) (?:now |a |an |strictly |fully )*(vegetarian|vegan|pescatarian|pescetarian|omnivore|flexitarian|keto|paleo|gluten[- ]free|dairy[- ]free|halal|kosher)\\b`,
  ),
  named('diet', true, `\\bmy diet is (?:now )?${VALUE}${VALUE_END}`),
  named('phone', true, `\\bmy (?:new )?(?:phone |mobile |cell |telephone )?number is (?:now )?([+\\d][\\d \\-]{4,}\\d)`),
  named('email', true, `\\bmy (?:new )?e-?mail(?: address)? is (?:now )?(\\S+@\\S+?)(?=[,;!]|\\.?\\s|\\.?$)`),
  named('age', true, `\\b(?:i'm|i am|i just turned|i turned) (\\d{1,3})(?: years old)?${VALUE_END}`),
  {
    pattern: new RegExp(`\\bmy (?:new |all-time )?favou?rite ([\\p{L}]+(?: [\\p{L}]+)?) (?:is|are) (?:now |still )?${VALUE}${VALUE_END}`, 'iu'),
    slot: (match) => `favourite:${terms(match[1]!).join(' ')}`,
    single: true,
  },
  {
    pattern: new RegExp(`\\bmy (${RELATIONS})(?:'s name)? is (?:called |named )?${VALUE}${VALUE_END}`, 'iu'),
    slot: (match) => `person:${match[1]!.toLowerCase()}`,
    single: false,
  },
  {
    pattern: new RegExp(`\\b(?:i'm|i am) married to\\s+${VALUE}${VALUE_END}`, 'iu'),
    slot: () => 'person:spouse',
    single: true,
  },
  {
    pattern: new RegExp(`\\b(?:i have|i've got|i got|we have|i adopted) an? (${ANIMALS})(?: (?:named|called) ${VALUE}${VALUE_END})?`, 'iu'),
    slot: (match) => `pet:${match[1]!.toLowerCase()}`,
    single: false,
  },
  {
    pattern: new RegExp(`\\bmy (${ANIMALS})(?:'s name)? is (?:called |named )?${VALUE}${VALUE_END}`, 'iu'),
    slot: (match) => `pet:${match[1]!.toLowerCase()}`,
    single: false,
  },
  named('allergy', false, `\\ballergic to\\s+${VALUE}${VALUE_END}`),
];

/** The last capture that matched: the value (the pet patterns capture the animal first). */
function valueOf(match: RegExpMatchArray): string {
  for (let index = match.length - 1; index >= 1; index--) {
    const value = match[index];
    if (value !== undefined && value.length > 0) return value.trim();
  }
  return '';
}

/** Every attribute a statement states, in the order of the patterns. */
export function factSlots(statement: string): FactSlot[] {
  const found: FactSlot[] = [];
  for (const { pattern, slot, single } of SLOT_PATTERNS) {
    const match = statement.match(pattern);
    if (match === null) continue;
    const name = slot(match);
    if (found.some((fact) => fact.slot === name)) continue;
    found.push({ slot: name, value: valueOf(match), single });
  }
  return found;
}

/** Values compare by their terms: "Berlin." and "berlin" are the same home. */
export function sameValue(a: string, b: string): boolean {
  return terms(a).join(' ') === terms(b).join(' ');
}
