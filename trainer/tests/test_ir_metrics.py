from __future__ import annotations

import math

import pytest

from genq_trainer.evaluation.ir_metrics import mean_metrics, mrr_at_k, ndcg_at_k, recall_at_k


def test_metrics_of_known_rankings() -> None:
    assert mrr_at_k([5, 3, 9], {3}, 10) == pytest.approx(0.5)
    assert mrr_at_k([5, 3, 9], {3}, 1) == 0.0
    assert ndcg_at_k([3, 5], {3}, 10) == pytest.approx(1.0)
    assert ndcg_at_k([5, 3], {3}, 10) == pytest.approx(1 / math.log2(3))
    assert recall_at_k([1, 2, 3], {2, 7}, 10) == pytest.approx(0.5)
    metrics = mean_metrics([[1, 2], [4, 3]], [{1}, {3}], k=10)
    assert metrics == pytest.approx({"mrr@10": 0.75, "ndcg@10": (1 + 1 / math.log2(3)) / 2, "recall@10": 1.0})
