/**
 * The numbers of the study the GenQ method follows (a thesis on 54,000 Swedish court judgments, in the method's
 * reference repository; see ../shared/data/seed_genq/README.md), shown beside ours in the report. Different
 * data and language: a point of comparison, not a target.
 */
export const STUDY_REFERENCE = {
  source: 'Semantic_Search_using_GenQ research_paper (Swedish court judgments, 54,000 documents)',
  /** Cosine between a held-out text and its 60%-deleted copy, mean before → after TSDAE. */
  tsdaeEffect: {
    sentences: { before: 0.657, after: 0.695 },
    chunks: { before: 0.782, after: 0.855 },
  },
  /** 500 generated queries: share (%) whose source document is in the top 100 / 200 / 250. */
  backwardsSearch: [
    { model: 'original model', top100: 21.0, top200: 28.8, top250: 32.3 },
    { model: 'TSDAE', top100: 14.3, top200: 20.5, top250: 24.3 },
    { model: 'TSDAE+GPL', top100: 9.3, top200: 13.3, top250: 16.0 },
    { model: 'TSDAE+GenQ', top100: 33.3, top200: 42.3, top250: 46.3 },
    { model: 'TSDAE on chunks + GenQ', top100: 43.7, top200: 55.3, top250: 60.3 },
    { model: 'GenQ alone', top100: 46.9, top200: 57.7, top250: 61.7 },
  ],
} as const;

export type StudyReference = typeof STUDY_REFERENCE;
