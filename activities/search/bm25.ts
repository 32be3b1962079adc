/**
 * BM25 over chunk texts, on MiniSearch (a maintained full-text engine). MiniSearch scores with BM25+; its
 * lower bound δ is set to 0, which makes it plain Okapi BM25 (k1 1.2, b 0.75), the usual baseline. Prefix and
 * fuzzy matching stay off, and query terms are OR-ed, as BM25 baselines do.
 */
import MiniSearch from 'minisearch';
import { spanishTerms } from './spanishTerms';

export interface Bm25Document {
  id: string;
  text: string;
}

export interface Bm25Hit {
  id: string;
  score: number;
}

export class Bm25Index {
  private constructor(private readonly engine: MiniSearch<Bm25Document>) {}

  static build(documents: Iterable<Bm25Document>): Bm25Index {
    const engine = new MiniSearch<Bm25Document>({
      fields: ['text'],
      idField: 'id',
      tokenize: (text) => spanishTerms(text),
      processTerm: (term) => term,
      searchOptions: { bm25: { k: 1.2, b: 0.75, d: 0 }, prefix: false, fuzzy: false, combineWith: 'OR' },
    });
    for (const document of documents) engine.add(document);
    return new Bm25Index(engine);
  }

  get size(): number {
    return this.engine.documentCount;
  }

  /** The best `k` documents for `query`, best first; documents sharing no term with the query are absent. */
  search(query: string, k: number): Bm25Hit[] {
    return this.engine
      .search(query)
      .slice(0, k)
      .map((hit) => ({ id: String(hit.id), score: hit.score }));
  }
}
