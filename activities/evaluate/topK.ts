/**
 * The indices of the k highest scores, best first, with a bounded min-heap (O(n log k), no per-item objects).
 * Ties go to the lower index, so rankings are deterministic. Scores of -Infinity are never returned.
 */
export function topK(scores: Float32Array, k: number): Int32Array {
  const heapIdx = new Int32Array(Math.min(k, scores.length));
  const heapScore = new Float32Array(heapIdx.length);
  let size = 0;
  // "a is worse than b": lower score, or equal score and higher index.
  const worse = (sa: number, ia: number, sb: number, ib: number): boolean => sa < sb || (sa === sb && ia > ib);
  const siftUp = (at: number): void => {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!worse(heapScore[at]!, heapIdx[at]!, heapScore[parent]!, heapIdx[parent]!)) break;
      swap(at, parent);
      at = parent;
    }
  };
  const siftDown = (at: number): void => {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let worst = at;
      if (left < size && worse(heapScore[left]!, heapIdx[left]!, heapScore[worst]!, heapIdx[worst]!)) worst = left;
      if (right < size && worse(heapScore[right]!, heapIdx[right]!, heapScore[worst]!, heapIdx[worst]!)) worst = right;
      if (worst === at) return;
      swap(at, worst);
      at = worst;
    }
  };
  const swap = (a: number, b: number): void => {
    const s = heapScore[a]!;
    heapScore[a] = heapScore[b]!;
    heapScore[b] = s;
    const i = heapIdx[a]!;
    heapIdx[a] = heapIdx[b]!;
    heapIdx[b] = i;
  };
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s === -Infinity) continue;
    if (size < heapIdx.length) {
      heapScore[size] = s;
      heapIdx[size] = i;
      siftUp(size++);
    } else if (heapIdx.length > 0 && worse(heapScore[0]!, heapIdx[0]!, s, i)) {
      heapScore[0] = s;
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  // Pop the worst repeatedly, filling the result from the back.
  const out = new Int32Array(size);
  for (let n = size - 1; n >= 0; n--) {
    out[n] = heapIdx[0]!;
    size -= 1;
    heapScore[0] = heapScore[size]!;
    heapIdx[0] = heapIdx[size]!;
    siftDown(0);
  }
  return out;
}
