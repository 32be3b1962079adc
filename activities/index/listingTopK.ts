/**
 * Listings ranked by their best chunk: chunk scores are offered one by one, each listing keeps its best, and
 * the k best listings come out. Scratch arrays are sized once per index and reset only where touched, so a
 * query costs what it offers, not the corpus size.
 */
export interface RankedListing {
  listingRow: number;
  chunkRow: number;
  score: number;
}

export class ListingTopK {
  private readonly best: Float32Array;
  private readonly bestChunk: Int32Array;
  private touched: Int32Array;
  private touchedCount = 0;

  constructor(listingCount: number) {
    this.best = new Float32Array(listingCount).fill(Number.NEGATIVE_INFINITY);
    this.bestChunk = new Int32Array(listingCount);
    this.touched = new Int32Array(Math.min(listingCount, 1024));
  }

  /** Listings offered at least once since the last take(). */
  get distinct(): number {
    return this.touchedCount;
  }

  offer(listingRow: number, chunkRow: number, score: number): void {
    const current = this.best[listingRow]!;
    if (current === Number.NEGATIVE_INFINITY) {
      if (this.touchedCount === this.touched.length) {
        const grown = new Int32Array(Math.min(this.best.length, this.touched.length * 2));
        grown.set(this.touched);
        this.touched = grown;
      }
      this.touched[this.touchedCount++] = listingRow;
    } else if (score <= current) {
      return;
    }
    this.best[listingRow] = score;
    this.bestChunk[listingRow] = chunkRow;
  }

  /** The k best listings, best first (ties: lower listing row first), and a reset for the next query. */
  take(k: number): RankedListing[] {
    // A min-heap of the k best so far (its root is the worst kept): O(touched · log k), not a full sort.
    const heap: RankedListing[] = [];
    const worse = (a: RankedListing, b: RankedListing): boolean => a.score < b.score || (a.score === b.score && a.listingRow > b.listingRow);
    const siftDown = (from: number): void => {
      for (let i = from; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    };
    for (let t = 0; t < this.touchedCount; t++) {
      const row = this.touched[t]!;
      const item = { listingRow: row, chunkRow: this.bestChunk[row]!, score: this.best[row]! };
      this.best[row] = Number.NEGATIVE_INFINITY;
      if (k <= 0) continue;
      if (heap.length < k) {
        heap.push(item);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (!worse(heap[i]!, heap[parent]!)) break;
          [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
          i = parent;
        }
      } else if (worse(heap[0]!, item)) {
        heap[0] = item;
        siftDown(0);
      }
    }
    this.touchedCount = 0;
    return heap.sort((a, b) => b.score - a.score || a.listingRow - b.listingRow);
  }
}
