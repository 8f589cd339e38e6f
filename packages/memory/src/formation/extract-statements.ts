import { terms } from '../relevance/terms.js';

/** Why a piece of the user's message is not kept as a memory. */
export type DroppedReason = 'question' | 'chit-chat' | 'not-about-user' | 'repeats-memory';

export interface Statement {
  /** The sentence as the user wrote it, trimmed, without its final punctuation. */
  text: string;
  /** `terms(text)`, distinct. */
  terms: string[];
}

export interface ExtractedStatements {
  statements: Statement[];
  dropped: { text: string; reason: DroppedReason }[];
}

// Sentence ends: . ! ? ; or a line break, followed by space or the end.
const SENTENCES = /[^.!?;\n]+(?:[.!?;]+|\n|$)/g;
const QUESTION_START =
  /^(?:what|which|who|whom|whose|where|when|why|how|do|does|did|can|could|would|will|should|shall|is|are|am|was|were|have|has|may|might|any|got any|please|pick|give|suggest|recommend|help|find|show|tell|remind|write|list|explain|describe|let's)\b/i;
const FIRST_PERSON = /\b(?:i|i'm|i've|i'd|i'll|im|my|me|mine|myself|we|we're|our|us)\b/i;
/** Words that carry no fact: greetings, thanks, acknowledgements, fillers. */
const CHIT_CHAT = new Set(
  (
    'hi hello hey hiya howdy yo morning afternoon evening night good great cool nice ok okay fine sure yes yeah yep no nope ' +
    'thanks thank thx cheers bye goodbye later lol haha hmm ah oh wow awesome perfect right alright got sound see well just ' +
    'really very much lot welcome please sorry excellent interesting fun glad happy today care'
  ).split(' '),
);
const CHIT_CHAT_TERMS = new Set([...CHIT_CHAT].flatMap((word) => terms(word)));

/** Nothing but greetings, thanks and fillers: "I am happy", "thanks, that sounds great". */
function isChitChat(statementTerms: readonly string[]): boolean {
  return statementTerms.every((term) => CHIT_CHAT_TERMS.has(term));
}

/**
 * The statements worth remembering in what the user said: the text is cut into sentences, and
 * questions, requests, greetings, thanks and acknowledgements are dropped, as are sentences that
 * say nothing about the user (no first person). Deterministic, no model.
 */
export function extractStatements(userText: string): ExtractedStatements {
  const statements: Statement[] = [];
  const dropped: ExtractedStatements['dropped'] = [];
  for (const match of userText.matchAll(SENTENCES)) {
    const sentence = match[0].trim();
    if (sentence.length === 0) continue;
    const text = sentence.replace(/[.!;\s]+$/, '');
    if (text.length === 0) continue;
    if (sentence.endsWith('?') || QUESTION_START.test(text)) {
      // "I am vegetarian, what should I cook?": a statement can lead into the question.
      const lead = sentence.endsWith('?') ? /^([^,]+),\s*(.+)$/.exec(text) : null;
      if (lead && !QUESTION_START.test(lead[1]!) && QUESTION_START.test(lead[2]!) && FIRST_PERSON.test(lead[1]!)) {
        const leadTerms = [...new Set(terms(lead[1]!))];
        if (!isChitChat(leadTerms)) statements.push({ text: lead[1]!.trim(), terms: leadTerms });
        dropped.push({ text: lead[2]!, reason: 'question' });
        continue;
      }
      dropped.push({ text, reason: 'question' });
      continue;
    }
    const statementTerms = [...new Set(terms(text))];
    if (isChitChat(statementTerms)) {
      dropped.push({ text, reason: 'chit-chat' });
      continue;
    }
    if (!FIRST_PERSON.test(text)) {
      dropped.push({ text, reason: 'not-about-user' });
      continue;
    }
    statements.push({ text, terms: statementTerms });
  }
  return { statements, dropped };
}
