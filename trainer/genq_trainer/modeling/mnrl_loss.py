"""Multiple Negatives Ranking Loss on embeddings (pure maths, testable alone).

Reference: Henderson et al., "Efficient Natural Language Response Suggestion for Smart Reply",
https://arxiv.org/abs/1705.00652. For a batch of (query, chunk) pairs, query i's positive is chunk i and
every other chunk of the batch is a negative: cross-entropy over scaled cosine similarities, with the
diagonal as the labels. Same maths as sentence-transformers' ``MultipleNegativesRankingLoss`` with
``similarity_fct=cos_sim``.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F


def cosine_scores(anchors: Tensor, candidates: Tensor) -> Tensor:
    """Cosine similarity of every anchor with every candidate: (a, hidden) x (c, hidden) -> (a, c)."""
    return F.normalize(anchors, p=2, dim=-1) @ F.normalize(candidates, p=2, dim=-1).T


def mnrl_loss(anchors: Tensor, positives: Tensor, scale: float, *, offset: int = 0) -> Tensor:
    """Mean MNRL loss of ``anchors`` against all ``positives``.

    anchors: (a, hidden), the queries of rows ``offset .. offset + a`` of the batch;
    positives: (batch, hidden). Anchor i's positive is ``positives[offset + i]``.
    Computed in fp32 whatever the autocast dtype.
    """
    scores = cosine_scores(anchors.float(), positives.float()) * scale  # (a, batch)
    labels = torch.arange(offset, offset + anchors.shape[0], device=anchors.device)  # (a,)
    return F.cross_entropy(scores, labels)
