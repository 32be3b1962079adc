"""Held-out retrieval scores of several sentence-transformers models on the same pairs (for bench/).

The corpus is every distinct chunk (by ``chunk_id``) of the held-out pairs; the queries are the distinct
held-out queries (a seeded sample of ``--max-queries`` of them when there are more); a query's relevant
chunks are the chunks it is paired with. Each model embeds with its own modules (``SentenceTransformer``
folder), cosine similarity ranks the corpus, and the metrics are those of the trainer's own evaluator
(``genq_trainer.evaluation.ir_metrics``: mrr@10, ndcg@10, recall@10).

Usage (from the repository root):
  HF_HUB_OFFLINE=1 PYTHONPATH=trainer .genq/venv/bin/python trainer/bench/evaluate_models.py \
      --heldout pairs.heldout.jsonl --model ours=OUT1 --model baseline=OUT2 [--max-queries 1000]

stdout: one JSON object, ``{"queries": n, "chunks": m, "models": {name: {"mrr@10": ..., ...}}}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

logger = logging.getLogger("evaluate_models")


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", required=True, help="held-out pairs.jsonl")
    parser.add_argument("--model", action="append", required=True, help="NAME=PATH (repeatable)")
    parser.add_argument("--max-queries", type=int, default=1000, help="0: all")
    parser.add_argument("--max-seq-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer, util

    from genq_trainer.data.pairs import read_pairs
    from genq_trainer.evaluation.ir_metrics import mean_metrics

    if args.threads is not None:
        torch.set_num_threads(args.threads)

    pairs = read_pairs(args.heldout).pairs
    chunk_index: dict[str, int] = {}
    chunks: list[str] = []
    relevant: dict[str, set[int]] = {}
    for pair in pairs:
        if pair.chunk_id not in chunk_index:
            chunk_index[pair.chunk_id] = len(chunks)
            chunks.append(pair.chunk)
        relevant.setdefault(pair.query, set()).add(chunk_index[pair.chunk_id])
    queries = sorted(relevant)
    if args.max_queries and len(queries) > args.max_queries:
        queries = sorted(random.Random(args.seed).sample(queries, args.max_queries))
    logger.info("held-out: %d queries against %d chunks (%d pairs)", len(queries), len(chunks), len(pairs))

    results: dict[str, dict[str, float]] = {}
    for spec in args.model:
        name, _, path = spec.partition("=")
        started = time.perf_counter()
        model = SentenceTransformer(path, device="cpu")
        model.max_seq_length = args.max_seq_length
        with torch.inference_mode():
            q = model.encode(queries, batch_size=args.batch_size, convert_to_tensor=True, show_progress_bar=False)
            c = model.encode(chunks, batch_size=args.batch_size, convert_to_tensor=True, show_progress_bar=False)
            scores = util.cos_sim(q.float(), c.float())  # (queries, chunks)
            top = torch.topk(scores, k=min(10, scores.shape[1]), dim=1).indices.tolist()
        results[name] = mean_metrics(top, [relevant[query] for query in queries], 10)
        logger.info("%s (%s): %s in %.1f s", name, path, results[name], time.perf_counter() - started)

    print(json.dumps({"queries": len(queries), "chunks": len(chunks), "models": results}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
