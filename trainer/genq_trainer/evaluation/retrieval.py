"""Held-out retrieval: each held-out query against all held-out chunks.

The corpus is the distinct chunks of the held-out pairs (by ``chunk_id``); a query's relevant chunks are
the chunks it is paired with. Queries and chunks are embedded by the model being trained (eval mode, no
gradient), scored by cosine similarity and ranked; the metrics are MRR@10, nDCG@10 and Recall@10.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import torch
from torch import Tensor

from genq_trainer.data.pairs import Pair
from genq_trainer.evaluation.ir_metrics import mean_metrics
from genq_trainer.modeling.mnrl_loss import cosine_scores

logger = logging.getLogger(__name__)

EmbedTexts = Callable[[list[str]], Tensor]
"""Embeds texts in eval mode: list of n texts -> (n, hidden)."""


class RetrievalEvaluator:
    def __init__(self, pairs: list[Pair], k: int = 10) -> None:
        chunk_index: dict[str, int] = {}
        self.chunks: list[str] = []
        query_index: dict[str, int] = {}
        self.queries: list[str] = []
        self.relevant: list[set[int]] = []
        for pair in pairs:
            if pair.chunk_id not in chunk_index:
                chunk_index[pair.chunk_id] = len(self.chunks)
                self.chunks.append(pair.chunk)
            if pair.query not in query_index:
                query_index[pair.query] = len(self.queries)
                self.queries.append(pair.query)
                self.relevant.append(set())
            self.relevant[query_index[pair.query]].add(chunk_index[pair.chunk_id])
        self.k = k
        logger.info("held-out evaluation: %d queries against %d chunks", len(self.queries), len(self.chunks))

    def evaluate(self, embed: EmbedTexts) -> dict[str, float]:
        with torch.inference_mode():
            query_embeddings = embed(self.queries)  # (queries, hidden)
            chunk_embeddings = embed(self.chunks)  # (chunks, hidden)
            scores = cosine_scores(query_embeddings.float(), chunk_embeddings.float())  # (queries, chunks)
            top = torch.topk(scores, k=min(self.k, scores.shape[1]), dim=1).indices.cpu().tolist()
        return mean_metrics(top, self.relevant, self.k)
