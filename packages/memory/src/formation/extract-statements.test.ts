import { describe, expect, it } from 'vitest';
import { extractStatements } from './extract-statements.js';

const kept = (text: string) => extractStatements(text).statements.map((statement) => statement.text);

describe('extractStatements', () => {
  it('keeps first-person statements and drops questions, requests, greetings and thanks', () => {
    expect(kept('Hi! My favourite colour is teal. Which colour suits me? Thanks!')).toEqual(['My favourite colour is teal']);
    expect(kept('Pick a shirt for me.')).toEqual([]);
    expect(kept('Please remind me tomorrow')).toEqual([]);
    expect(kept('ok cool')).toEqual([]);
    expect(kept('Great, thank you.')).toEqual([]);
  });

  it('drops sentences not about the user and keeps a statement leading into a question', () => {
    expect(kept('Paris is lovely in spring. I live in Paris.')).toEqual(['I live in Paris']);
    expect(kept('I am vegetarian, what should I cook?')).toEqual(['I am vegetarian']);
    expect(extractStatements('I am vegetarian, what should I cook?').dropped).toEqual([{ text: 'what should I cook?', reason: 'question' }]);
  });
});
