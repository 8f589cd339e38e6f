// The core's scoreTerms constants, which the search script needs as numbers. The core does not
// export them yet: keep these equal to K1 and B in @fastagentic/memory's relevance/score-terms.ts
// (the ranking test compares this store's scores with the core's scoreTerms and fails on drift).
/** BM25 term-frequency saturation. */
export const SCORE_TERMS_K1 = 1.2;
/** BM25 length normalisation. */
export const SCORE_TERMS_B = 0.75;
