import { describe, expect, it } from 'vitest';
import { terms, TERMS_VERSION } from './terms.js';

describe('terms (pipeline v2)', () => {
  it('is versioned', () => {
    expect(TERMS_VERSION).toBe('2');
  });

  it('folds case, compatibility forms and accents', () => {
    expect(terms('Café in MÜNCHEN')).toEqual(terms('cafe in munchen'));
    expect(terms('Ｃａｆé ﬁsh')).toEqual(['cafe', 'fish']);
    expect(terms('Straße Ærø Łódź')).toEqual(['strass', 'aero', 'lodz']);
    expect(terms('Привет, ёжик')).toEqual(['привет', 'ежик']);
  });

  it('stems English with Porter2 and drops stop words', () => {
    expect(terms('I was hiking; she hiked; they hike')).toEqual(['hike', 'hike', 'hike']);
    expect(terms('running shoes for the runs')).toEqual(['run', 'shoe', 'run']);
    expect(terms("Anna's allergies")).toEqual(['anna', 'allergi']);
    expect(terms('what is it')).toEqual(['what', 'is', 'it']);
  });

  it('makes British spellings American, inflections included', () => {
    expect(terms('My favourite colours')).toEqual(terms('my favorite colors'));
    expect(terms('organised a trip to the theatre')).toEqual(terms('organized a trip to the theater'));
    expect(terms('four hours on tour')).toEqual(['four', 'hour', 'tour']);
  });

  it('cuts Chinese and Japanese into bigrams plus characters, Thai into bigrams of clusters', () => {
    expect(terms('我喜欢吃寿司')).toEqual(['我喜', '喜欢', '欢吃', '吃寿', '寿司', '我', '喜', '欢', '吃', '寿', '司']);
    expect(terms('寿司')).toEqual(['寿司', '寿', '司']);
    expect(terms('猫')).toEqual(['猫']);
    expect(terms('I love 寿司!')).toEqual(['love', '寿司', '寿', '司']);
    expect(terms('ข้าวผัด')).toEqual(['ข้า', 'าว', 'วผั', 'ผัด']);
  });

  it('keeps numbers and drops punctuation', () => {
    expect(terms('Born in 1987, room 42B!')).toEqual(['born', '1987', 'room', '42b']);
    expect(terms('?!')).toEqual([]);
  });
});
