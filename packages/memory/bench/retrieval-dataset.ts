/**
 * A labelled retrieval dataset of conversational memories, generated deterministically from
 * templates over facts (no downloads): every labelled query names the one memory it is about,
 * and the rest of the corpus is distractors built from the same templates, so they share words.
 */

export type QueryCategory =
  | 'exact words'
  | 'paraphrase'
  | 'plurals and tenses'
  | 'other speakers'
  | 'accents'
  | 'british/american'
  | 'chinese'
  | 'japanese';

export interface LabelledQuery {
  query: string;
  category: QueryCategory;
  /** Index in `memories` of the memory the query is about. */
  target: number;
  /** The template the fact came from: memories of one template share their wording. */
  template: number;
}

export interface RetrievalDataset {
  memories: string[];
  queries: LabelledQuery[];
}

/** mulberry32: a small seeded generator, the same sequence on every runtime (the formation eval uses it too). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FactTemplate {
  /** The memory, and the labelled queries about it, for one slot value. */
  make(value: string, person: string): { memory: string; queries: Array<[QueryCategory, string]> };
  values: readonly string[];
}

const PEOPLE = ['Anna', 'Marco', 'Priya', 'Tom', 'Keiko', 'Lucas', 'Fatima', 'Olga', 'Diego', 'Chen', 'Sara', 'Ben'];

const TEMPLATES: readonly FactTemplate[] = [
  {
    values: ['peanuts', 'shellfish', 'cats', 'penicillin', 'pollen', 'strawberries', 'gluten', 'bees'],
    make: (v) => ({
      memory: `I am allergic to ${v}, so please keep that in mind`,
      queries: [
        ['exact words', `allergic to ${v}`],
        ['paraphrase', `${v} reaction, what can't I have`],
      ],
    }),
  },
  {
    values: ['hiking', 'climbing', 'sailing', 'camping', 'skiing', 'cycling', 'kayaking', 'fishing'],
    make: (v, p) => ({
      memory: `Last summer ${p} and I went ${v} in the mountains near the lake`,
      queries: [
        ['exact words', `${v} mountains lake`],
        ['plurals and tenses', `${pastTense(v)} mountain`],
        ['other speakers', `what did ${p} do last summer`],
      ],
    }),
  },
  {
    values: ['guitar', 'piano', 'violin', 'cello', 'drums', 'flute', 'saxophone', 'harp'],
    make: (v) => ({
      memory: `I have been learning to play the ${v} on weekends`,
      queries: [
        ['exact words', `play ${v}`],
        ['plurals and tenses', `learned ${v} lessons`],
        ['paraphrase', `which instrument, the ${v}?`],
      ],
    }),
  },
  {
    values: ['blue', 'green', 'purple', 'orange', 'yellow', 'teal', 'crimson', 'silver'],
    make: (v) => ({
      memory: `My favourite colour is ${v}`,
      queries: [
        ['british/american', `favorite color ${v}`],
        ['british/american', `what color do I like best`],
        ['exact words', `favourite colour`],
      ],
    }),
  },
  {
    values: ['pizza', 'ramen', 'tacos', 'curry', 'lasagna', 'dumplings', 'paella', 'falafel'],
    make: (v) => ({
      memory: `My favorite flavor of ${v} is the spicy one my neighbor makes`,
      queries: [
        ['british/american', `favourite flavour ${v}`],
        ['british/american', `neighbour ${v}`],
        ['plurals and tenses', `spicy ${plural(v)}`],
      ],
    }),
  },
  {
    values: ['München', 'Zürich', 'Besançon', 'Málaga', 'Kraków', 'Łódź', 'Göteborg', 'São Paulo'],
    make: (v, p) => ({
      memory: `${p} moved to ${v} and opened a small café near the station`,
      queries: [
        ['accents', `${stripAccents(v)} cafe`],
        ['accents', `moved to ${stripAccents(v)}`],
        ['other speakers', `where does ${p} live now`],
      ],
    }),
  },
  {
    values: ['Renée', 'José', 'Zoë', 'Chloé', 'André', 'Noël', 'Inés', 'Björn'],
    make: (v) => ({
      memory: `My manager ${v} approved the budget for the new project`,
      queries: [
        ['accents', `${stripAccents(v)} budget`],
        ['exact words', `who approved the project budget`],
      ],
    }),
  },
  {
    values: ['dog', 'cat', 'rabbit', 'parrot', 'hamster', 'turtle', 'horse', 'goat'],
    make: (v, p) => ({
      memory: `${p} adopted a ${v} named Biscuit from the shelter`,
      queries: [
        ['exact words', `${p} ${v}`],
        ['plurals and tenses', `adopting ${plural(v)}`],
        ['other speakers', `does ${p} have a pet`],
      ],
    }),
  },
  {
    values: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'weekend'],
    make: (v) => ({
      memory: `The dentist appointment is on ${v} at 3pm`,
      queries: [
        ['exact words', `dentist appointment`],
        ['plurals and tenses', `dentists appointments ${v}`],
      ],
    }),
  },
  {
    values: ['marathon', 'triathlon', 'half marathon', '10k race', 'swim meet', 'chess tournament', 'spelling bee', 'bake sale'],
    make: (v, p) => ({
      memory: `${p} is training for the ${v} in October`,
      queries: [
        ['exact words', `${v} training`],
        ['plurals and tenses', `${p} trained for ${plural(v)}`],
        ['other speakers', `what is ${p} preparing for`],
      ],
    }),
  },
  {
    values: ['寿司', '拉面', '饺子', '火锅', '烤鸭', '包子', '月饼', '豆腐'],
    make: (v) => ({
      memory: `我最喜欢吃${v}，每个周末都去吃`,
      queries: [
        ['chinese', v],
        ['chinese', `喜欢${v}`],
      ],
    }),
  },
  {
    values: ['猫', '狗', '鱼', '鸟', '马', '兔'],
    make: (v) => ({
      memory: `我家有一只${v}，它很可爱`,
      queries: [['chinese', v]],
    }),
  },
  {
    values: ['北京', '上海', '广州', '深圳', '成都', '杭州', '西安', '南京'],
    make: (v, p) => ({
      memory: `${p}明年要搬到${v}工作`,
      queries: [
        ['chinese', `${v}工作`],
        ['chinese', `搬到${v}`],
      ],
    }),
  },
  {
    values: ['ラーメン', '天ぷら', 'うどん', 'カレー', 'お寿司', '焼き鳥', 'そば', 'たこ焼き'],
    make: (v) => ({
      memory: `私は${v}が大好きです。毎週食べています`,
      queries: [
        ['japanese', v],
        ['japanese', `${v}が好き`],
      ],
    }),
  },
  {
    values: ['東京', '大阪', '京都', '札幌', '福岡', '名古屋', '横浜', '神戸'],
    make: (v) => ({
      memory: `来月、${v}へ出張に行きます`,
      queries: [
        ['japanese', `${v}出張`],
        ['japanese', v],
      ],
    }),
  },
  {
    values: ['vegetarian', 'vegan', 'pescatarian', 'keto', 'lactose intolerant', 'diabetic', 'gluten free', 'halal'],
    make: (v) => ({
      memory: `The user said they are ${v} and avoids certain dishes at restaurants`,
      queries: [
        ['exact words', `${v} restaurants`],
        ['paraphrase', `dietary needs ${v}`],
        ['plurals and tenses', `avoiding dish ${v}`],
      ],
    }),
  },
  {
    values: ['Python', 'Rust', 'TypeScript', 'Kotlin', 'Haskell', 'Go', 'Elixir', 'Swift'],
    make: (v, p) => ({
      memory: `${p} mentioned that the team rewrote the billing service in ${v}`,
      queries: [
        ['exact words', `billing service ${v}`],
        ['plurals and tenses', `rewriting billing services`],
        ['other speakers', `what did ${p} say about ${v}`],
      ],
    }),
  },
  {
    values: ['1987', '1992', '2001', '1979', '1995', '2003', '1984', '1999'],
    make: (v) => ({
      memory: `My father was born in ${v} in a small fishing village`,
      queries: [
        ['exact words', `father born ${v}`],
        ['paraphrase', `dad's birth year`],
      ],
    }),
  },
  {
    values: ['Lisbon', 'Kyoto', 'Reykjavik', 'Marrakesh', 'Oaxaca', 'Tbilisi', 'Hanoi', 'Cusco'],
    make: (v) => ({
      memory: `We are planning a honeymoon trip to ${v} next spring`,
      queries: [
        ['exact words', `honeymoon ${v}`],
        ['plurals and tenses', `planned trips to ${v}`],
        ['paraphrase', `where are we going after the wedding`],
      ],
    }),
  },
  {
    values: ['theatre', 'centre', 'programme', 'jewellery', 'pyjamas', 'catalogue', 'aeroplane', 'cheque'],
    make: (v) => ({
      memory: `I organised a surprise at the ${v} for my mum's birthday`,
      queries: [
        ['british/american', `${americanOf(v)} surprise`],
        ['british/american', `organized surprise mom birthday ${americanOf(v)}`],
      ],
    }),
  },
];

const PAST_TENSES: Record<string, string> = {
  hiking: 'hiked',
  climbing: 'climbed',
  sailing: 'sailed',
  camping: 'camped',
  skiing: 'skied',
  cycling: 'cycled',
  kayaking: 'kayaked',
  fishing: 'fished',
};

function pastTense(activity: string): string {
  return PAST_TENSES[activity] ?? `${activity.slice(0, -3)}ed`;
}

function plural(noun: string): string {
  return noun.endsWith('s') ? noun : `${noun}s`;
}

function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .toLowerCase();
}

const AMERICAN: Record<string, string> = {
  theatre: 'theater',
  centre: 'center',
  programme: 'program',
  jewellery: 'jewelry',
  pyjamas: 'pajamas',
  catalogue: 'catalog',
  aeroplane: 'airplane',
  cheque: 'check',
};

function americanOf(word: string): string {
  return AMERICAN[word] ?? word;
}

const FILLER_SUBJECTS = ['I', 'We', 'My sister', 'The user', 'My boss', 'Our neighbour', 'The kids', 'My partner'];
const FILLER_VERBS = ['bought', 'forgot', 'fixed', 'booked', 'cancelled', 'watched', 'cleaned', 'borrowed', 'painted', 'ordered'];
const FILLER_OBJECTS = [
  'a new bike', 'the kitchen sink', 'tickets for the concert', 'a book about history', 'the car insurance',
  'a table for dinner', 'the garden fence', 'a gift for the teacher', 'a laptop charger', 'the photos from the trip',
  'a coffee machine', 'the hotel room', 'running shoes', 'a yoga mat', 'the electricity bill', 'a puzzle',
];
const FILLER_TIMES = ['yesterday', 'last week', 'this morning', 'on Sunday', 'in March', 'after work', 'before the holiday'];
const FILLER_CJK = ['我昨天买了一本书', '今天天气很好', '明日は雨が降るそうです', '週末に映画を見ました', '我们下周去公园', '会議は三時からです'];

/**
 * `distractors` filler memories plus one memory per (template, value) with its labelled
 * queries, interleaved at random positions. The same seed always gives the same dataset.
 */
export function retrievalDataset(distractors: number, seed = 7): RetrievalDataset {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const facts: Array<{ memory: string; queries: Array<[QueryCategory, string]>; template: number }> = [];
  TEMPLATES.forEach((template, index) => {
    for (const value of template.values) facts.push({ ...template.make(value, pick(PEOPLE)), template: index });
  });
  const fillers: string[] = [];
  for (let i = 0; i < distractors; i++) {
    fillers.push(
      random() < 0.1
        ? `${pick(FILLER_CJK)}${pick(FILLER_CJK)}`
        : `${pick(FILLER_SUBJECTS)} ${pick(FILLER_VERBS)} ${pick(FILLER_OBJECTS)} ${pick(FILLER_TIMES)} with ${pick(PEOPLE)}`,
    );
  }
  const memories: string[] = [];
  const queries: LabelledQuery[] = [];
  let fillerAt = 0;
  const perFact = fillers.length / facts.length;
  facts.forEach((fact, i) => {
    const until = Math.round(perFact * (i + 1));
    while (fillerAt < until) memories.push(fillers[fillerAt++]!);
    const target = memories.push(fact.memory) - 1;
    for (const [category, query] of fact.queries) queries.push({ query, category, target, template: fact.template });
  });
  while (fillerAt < fillers.length) memories.push(fillers[fillerAt++]!);
  return { memories, queries };
}
