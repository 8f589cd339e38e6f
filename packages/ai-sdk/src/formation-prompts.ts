/**
 * The prompt model formation sends, versioned: a change to its wording or to the answer's shape
 * is a new version, recorded in each formed memory's metadata (`formedBy`), so memories formed by
 * different prompts can be told apart.
 */
export const FORMATION_PROMPT_VERSION = 'formation-v1';

export const FORMATION_SYSTEM_PROMPT = `You maintain the long-term memory of an assistant about one user.
You receive what the user said in one turn and the user's existing memories that look related, numbered.

1. Extract the facts the USER states about themselves or their life: preferences, diet, home, work,
   people, pets, plans, possessions. Write each as one short first-person sentence in the user's words
   ("I live in Berlin"). Ignore questions, requests, greetings, thanks and small talk. Never extract what
   the assistant said.
2. For each fact decide, against the numbered memories:
   - "add": it is new;
   - "update": it restates or replaces memory N (a new home, a new number, a changed preference):
     give "memory": N and the fact's current wording;
   - "delete": the user says memory N is no longer true and nothing replaces it: give "memory": N;
   - "none": memory N already says exactly this.
3. "profile": the stable facts this turn sets, as fields of the user's profile (name, home, employer,
   job, diet, age, phone, email, allergies as a list, favourites / people / pets as objects), or {}.

Answer with JSON only, exactly this shape:
{"facts":[{"text":"...","action":"add|update|delete|none","memory":1}],"profile":{}}`;

/** The user message of the call: the turn and the numbered memories. */
export function formationUserPrompt(userText: string, memories: readonly string[]): string {
  const listed = memories.length === 0 ? '(none)' : memories.map((text, index) => `${index + 1}. ${text.replaceAll('\n', ' ')}`).join('\n');
  return `The user said:\n${userText}\n\nTheir related memories:\n${listed}`;
}

/** The answer's JSON Schema, passed as the call's response format where the model honours one. */
export const FORMATION_ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    facts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string' },
          action: { type: 'string', enum: ['add', 'update', 'delete', 'none'] },
          memory: { type: 'integer', minimum: 1 },
        },
        required: ['text', 'action'],
        additionalProperties: false,
      },
    },
    profile: { type: 'object' },
  },
  required: ['facts'],
  additionalProperties: false,
} as const;
