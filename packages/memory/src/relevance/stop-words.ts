/**
 * English words that carry no topic, after folding and with apostrophes removed ("don't" is
 * "dont"). Dropping them keeps "what does the user like" from matching everything. Words that
 * carry meaning in memories (like, love, favourite, name, not, no) are deliberately absent.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most my ' +
    'myself of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up ' +
    'very was we were what when where which while who whom why will with would you your yours yourself ' +
    'yourselves also im ive id ill youre youve theyre weve dont doesnt didnt isnt arent wasnt werent cant ' +
    'couldnt wouldnt shouldnt wont hasnt havent hadnt lets thats whats theres hes shes youll theyll itll thatll wholl'
  ).split(' '),
);
