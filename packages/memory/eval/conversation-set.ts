import { seededRandom } from '../bench/retrieval-dataset.js';

/**
 * The formation eval's conversations, generated deterministically (a seeded generator, no data
 * files): users who state facts about themselves over several sessions, restate them, update and
 * contradict them, ask questions, chat, and are probed with paraphrased questions. Each probe is
 * labelled with the fact that answers it; each update with the fact it supersedes.
 */

export type TurnKind = 'fact' | 'restatement' | 'update' | 'question' | 'chit-chat' | 'probe';

export interface Fact {
  id: string;
  /** The attribute it gives a value for; single-valued attributes are superseded by updates. */
  attribute: string;
  value: string;
  /** How the user first said it. */
  text: string;
}

export interface Turn {
  userId: string;
  session: number;
  /** Position within the user's whole conversation, from 0. */
  index: number;
  kind: TurnKind;
  text: string;
  /** fact, restatement, update: the fact the turn states. */
  factId?: string;
  /** update: the fact it supersedes. */
  supersedes?: string;
  /** probe: the fact that answers it (current at the time of the probe). */
  answerId?: string;
  /** probe: whether the answer was updated before (its superseded value must not be injected). */
  supersededIds?: string[];
}

export interface ConversationSet {
  facts: Map<string, Fact>;
  turns: Turn[];
  users: string[];
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Attribute {
  name: string;
  single: boolean;
  values: string[];
  state: (value: string) => string;
  restate: ((value: string) => string)[];
  /** How the user says a new value (single-valued attributes only). */
  update?: ((value: string) => string)[];
  /** Paraphrased questions whose answer is this attribute. */
  probes: string[];
}

const ATTRIBUTES: Attribute[] = [
  {
    name: 'home',
    single: true,
    values: ['Paris', 'Berlin', 'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'Melbourne', 'Quito', 'Oslo', 'Austin'],
    state: (v) => `I live in ${v}.`,
    restate: [(v) => `As I said, I live in ${v}`, (v) => `i live in ${v.toLowerCase()}!`, (v) => `I live in ${v} with my partner.`],
    update: [(v) => `I moved to ${v} last month.`, (v) => `Big news: I have relocated to ${v}.`, (v) => `I live in ${v} now.`],
    probes: ['Which city do I live in?', 'What is the weather like where I am?', 'Any good restaurants near me?'],
  },
  {
    name: 'employer',
    single: true,
    values: ['Acme', 'Globex', 'Initech', 'Umbrella Labs', 'Stark Works', 'Wayne Foods', 'Hooli', 'Vandelay Imports'],
    state: (v) => `I work at ${v}.`,
    restate: [(v) => `I still work at ${v}`, (v) => `Like I told you, I work at ${v}.`],
    update: [(v) => `I just started working at ${v}.`, (v) => `I joined ${v} this week.`],
    probes: ['Where do I work?', 'Who signs my paychecks?', 'Which company employs me?'],
  },
  {
    name: 'diet',
    single: true,
    values: ['vegetarian', 'vegan', 'pescatarian', 'keto'],
    state: (v) => `I am ${v}.`,
    restate: [(v) => `I'm ${v}, remember`, (v) => `I am ${v}.`],
    update: [(v) => `I have become ${v}.`, (v) => `I went ${v} this year.`],
    probes: ['What should I cook tonight?', 'Any dinner ideas for me?', 'Can you suggest a recipe for the weekend?'],
  },
  {
    name: 'colour',
    single: true,
    values: ['teal', 'crimson', 'amber', 'lilac', 'olive', 'navy', 'coral'],
    state: (v) => `My favourite colour is ${v}.`,
    restate: [(v) => `my favourite colour is ${v.toUpperCase()}`, (v) => `My favourite colour is ${v}!`],
    update: [(v) => `Actually, my favourite colour is ${v} now.`, (v) => `My favourite colour is ${v} these days.`],
    probes: ['Which colour do I like most?', 'What should I paint the bedroom?', 'Pick a shirt for me.'],
  },
  {
    name: 'phone',
    single: true,
    values: ['0170 555 0101', '0151 555 0202', '0162 555 0303', '0176 555 0404', '0157 555 0505'],
    state: (v) => `My phone number is ${v}.`,
    restate: [(v) => `My phone number is ${v}`],
    update: [(v) => `My new number is ${v}.`, (v) => `My number is ${v} now.`],
    probes: ['What is my phone number?', 'How can people reach me?'],
  },
  {
    name: 'pet',
    single: false,
    values: ['Rex', 'Miso', 'Pepper', 'Biscuit', 'Luna', 'Ziggy', 'Nori'],
    state: (v) => `I have a dog named ${v}.`,
    restate: [(v) => `My dog is called ${v}`, (v) => `I have a dog named ${v}.`],
    probes: ['What is my dog called?', 'Who needs a walk this evening?'],
  },
  {
    name: 'sister',
    single: false,
    values: ['Anna', 'Maya', 'Chloe', 'Ines', 'Yuki', 'Zara', 'Lena'],
    state: (v) => `My sister is called ${v}.`,
    restate: [(v) => `My sister is called ${v}!`],
    probes: ["What is my sister's name?", "Whose birthday party am I going to next month? It's a sibling's."],
  },
  {
    name: 'allergy',
    single: false,
    values: ['peanuts', 'shellfish', 'penicillin', 'cats', 'pollen', 'gluten'],
    state: (v) => `I am allergic to ${v}.`,
    restate: [(v) => `Remember I'm allergic to ${v}`],
    probes: ['Am I allergic to anything?', 'Is this satay safe for me to eat?'],
  },
  {
    name: 'hobby',
    single: false,
    values: ['the cello', 'chess', 'bouldering', 'pottery', 'the ukulele', 'salsa dancing', 'birdwatching'],
    state: (v) => `On weekends I practise ${v}.`,
    restate: [(v) => `I practise ${v} on weekends`],
    probes: ['What do I practise on weekends?', 'How do I spend my Saturdays?'],
  },
  {
    name: 'marathon',
    single: false,
    values: ['Boston in April', 'Berlin in September', 'Tokyo in March', 'Chicago in October', 'London in April'],
    state: (v) => `I am training for the marathon in ${v}.`,
    restate: [(v) => `I am still training for the marathon in ${v}`],
    probes: ['When is my marathon?', 'What race am I preparing for?'],
  },
];

const QUESTIONS = [
  'Can you recommend a good book?',
  'What time is it in Tokyo?',
  'How do I make sourdough starter?',
  'Which is better, tea or coffee?',
  'Do you know any jokes?',
  'What is the capital of Australia?',
  'How long should I boil an egg?',
  'Could you summarise the news for me?',
];
const CHIT_CHAT = ['Hi!', 'Hello there', 'Thanks!', 'ok cool', 'Good morning!', 'haha nice', 'Great, thank you.', 'Bye for now', 'Sounds good.', 'Hmm okay'];
const GREETINGS = ['', '', 'Hi! ', 'Hello. ', 'Thanks! ', 'Good morning! '];

export const USERS = 32;
export const SESSIONS = 4;

/** The conversation set for `seed`: every call with the same seed gives the same turns. */
export function generateConversationSet(seed = 23): ConversationSet {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const facts = new Map<string, Fact>();
  const turns: Turn[] = [];
  const users: string[] = [];

  for (let u = 0; u < USERS; u++) {
    const userId = `eval-user-${String(u).padStart(2, '0')}`;
    users.push(userId);
    // Seven of the ten attributes per user, in a shuffled order.
    const attributes = shuffle([...ATTRIBUTES], random).slice(0, 7);
    const current = new Map<string, Fact>();
    const superseded = new Map<string, string[]>();
    let index = 0;
    let factCounter = 0;
    const push = (session: number, turn: Omit<Turn, 'userId' | 'session' | 'index'>) =>
      turns.push({ userId, session, index: index++, ...turn });
    const noise = (session: number) => {
      const kind = random() < 0.5 ? 'question' : 'chit-chat';
      push(session, { kind, text: kind === 'question' ? pick(QUESTIONS) : pick(CHIT_CHAT) });
    };
    const probe = (session: number, attribute: Attribute) => {
      const answer = current.get(attribute.name);
      if (!answer) return;
      push(session, {
        kind: 'probe',
        text: pick(attribute.probes),
        answerId: answer.id,
        supersededIds: superseded.get(attribute.name) ?? [],
      });
    };

    for (let session = 0; session < SESSIONS; session++) {
      if (session === 0) {
        push(session, { kind: 'chit-chat', text: pick(CHIT_CHAT) });
        for (const attribute of attributes) {
          const value = pick(attribute.values);
          const fact: Fact = { id: `${userId}/f${factCounter++}`, attribute: attribute.name, value, text: attribute.state(value) };
          facts.set(fact.id, fact);
          current.set(attribute.name, fact);
          push(session, { kind: 'fact', text: pick(GREETINGS) + fact.text, factId: fact.id });
          if (random() < 0.5) noise(session);
        }
        continue;
      }
      // Later sessions: restatements, updates, probes, questions and chit-chat, shuffled.
      const plan: (() => void)[] = [];
      for (const attribute of attributes) {
        const roll = random();
        if (attribute.single && attribute.update && roll < 0.3) {
          plan.push(() => {
            const old = current.get(attribute.name)!;
            const value = pick(attribute.values.filter((candidate) => candidate !== old.value));
            const text = pick(attribute.update!)(value);
            const fact: Fact = { id: `${userId}/f${factCounter++}`, attribute: attribute.name, value, text };
            facts.set(fact.id, fact);
            current.set(attribute.name, fact);
            superseded.set(attribute.name, [...(superseded.get(attribute.name) ?? []), old.id]);
            push(session, { kind: 'update', text: pick(GREETINGS) + text, factId: fact.id, supersedes: old.id });
          });
        } else if (roll < 0.65) {
          plan.push(() => {
            const fact = current.get(attribute.name)!;
            push(session, { kind: 'restatement', text: pick(GREETINGS) + pick(attribute.restate)(fact.value), factId: fact.id });
          });
        }
        plan.push(() => probe(session, attribute));
        if (random() < 0.5) plan.push(() => probe(session, attribute));
      }
      for (let i = 0; i < 4; i++) plan.push(() => noise(session));
      shuffle(plan, random);
      // Updates and restatements are probed after they happened: each probe reads `current` when it runs.
      push(session, { kind: 'chit-chat', text: pick(CHIT_CHAT) });
      for (const step of plan) step();
    }
  }
  return { facts, turns, users };
}
