"""Ranking metrics at a cut-off k (binary relevance), as pure functions of the ranked ids.

* MRR@k: 1 / rank of the first relevant result within the top k, else 0.
* nDCG@k: DCG of the top k (gain 1 / log2(rank + 1) per relevant result) over the ideal DCG.
* Recall@k: share of the relevant items found in the top k.

Each is averaged over the queries by :func:`mean_metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Set


def mrr_at_k(ranked: Sequence[int], relevant: Set[int], k: int) -> float:
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[int], relevant: Set[int], k: int) -> float:
    dcg = sum(1.0 / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], start=1) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal > 0 else 0.0


def recall_at_k(ranked: Sequence[int], relevant: Set[int], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def mean_metrics(rankings: Sequence[Sequence[int]], relevants: Sequence[Set[int]], k: int = 10) -> dict[str, float]:
    """``mrr@k``, ``ndcg@k`` and ``recall@k`` averaged over queries (rankings[i] ranks query i's candidates)."""
    if len(rankings) != len(relevants):
        raise ValueError(f"{len(rankings)} rankings but {len(relevants)} relevance sets")
    count = max(1, len(rankings))
    return {
        f"mrr@{k}": sum(mrr_at_k(r, rel, k) for r, rel in zip(rankings, relevants)) / count,
        f"ndcg@{k}": sum(ndcg_at_k(r, rel, k) for r, rel in zip(rankings, relevants)) / count,
        f"recall@{k}": sum(recall_at_k(r, rel, k) for r, rel in zip(rankings, relevants)) / count,
    }
