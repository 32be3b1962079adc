"""Baseline for bench/embeddingThroughput.ts: the trainer's own encode (PyTorch, fp32, CPU), timed.

The encoder is built exactly as the trainer builds it (``genq_trainer.modeling.encoder.load_encoder``: the
transformer of ``--model`` with ``--pooling`` on top, ``--max-seq-length`` tokens) and embeds with
``SentenceTransformer.encode`` as the export's parity check does (fp32 on CPU, ``--batch-size`` texts per
batch, L2-normalised when ``--normalize``). Note that ``encode`` sorts the texts by length before batching
(less padding); that is part of the library's encode and is kept.

One warm-up encode of the first ``--warmup-texts`` texts, then ``--runs`` timed encodes of all the texts;
each timed span is the ``encode`` call alone (tokenisation, model, pooling, normalisation), not model loading.

Usage (from the repository root):
  HF_HUB_OFFLINE=1 PYTHONPATH=trainer .genq/venv/bin/python trainer/bench/encode_throughput.py \
      --model MODEL_FOLDER --texts texts.jsonl --pooling mean --max-seq-length 256 --threads 2 \
      [--embeddings-out vectors.f32]

``--texts``: JSON lines, each a JSON string. ``--embeddings-out``: the last run's embeddings, float32
little-endian, row-major (texts x dimensions), so the caller can check it embedded the same way.

stdout: JSON lines, ``{"type": "run", "run", "texts", "seconds", "texts_per_s"}`` per timed run, then
``{"type": "done", "best_texts_per_s", "runs", "threads", "dimensions", "torch", "sentence_transformers"}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

logger = logging.getLogger("encode_throughput")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="sentence-transformers or transformers model folder")
    parser.add_argument("--texts", required=True, help="JSON lines, one JSON string per line")
    parser.add_argument("--pooling", choices=("cls", "mean"), required=True)
    parser.add_argument("--max-seq-length", type=int, required=True)
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, required=True, help="torch intra-op threads")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--warmup-texts", type=int, default=64)
    parser.add_argument("--embeddings-out", default=None)
    args = parser.parse_args(argv)
    for name in ("batch_size", "threads", "runs", "max_seq_length"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    return args


def read_texts(path: str) -> list[str]:
    texts: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            value = json.loads(line)
            if not isinstance(value, str):
                raise ValueError(f"{path} line {number}: expected a JSON string, got {type(value).__name__}")
            texts.append(value)
    if not texts:
        raise ValueError(f"{path}: no texts")
    return texts


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)

    import numpy as np
    import sentence_transformers
    import torch

    from genq_trainer.modeling.encoder import load_encoder

    torch.set_num_threads(args.threads)
    texts = read_texts(args.texts)
    encoder = load_encoder(args.model, args.pooling, args.max_seq_length, "cpu", setting_name="--model")
    encoder.eval()

    def encode(items: list[str]) -> np.ndarray:
        with torch.inference_mode():
            return encoder.encode(
                items,
                batch_size=args.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=args.normalize,
                show_progress_bar=False,
            )

    encode(texts[: args.warmup_texts])
    best = 0.0
    vectors = None
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        vectors = encode(texts)
        seconds = time.perf_counter() - started
        best = max(best, len(texts) / seconds)
        print(json.dumps({"type": "run", "run": run, "texts": len(texts), "seconds": seconds, "texts_per_s": len(texts) / seconds}), flush=True)

    assert vectors is not None  # runs >= 1 is checked in parse_args
    if args.embeddings_out:
        np.ascontiguousarray(vectors, dtype="<f4").tofile(args.embeddings_out)
    print(
        json.dumps(
            {
                "type": "done",
                "best_texts_per_s": best,
                "runs": args.runs,
                "threads": torch.get_num_threads(),
                "dimensions": int(vectors.shape[1]),
                "torch": torch.__version__,
                "sentence_transformers": sentence_transformers.__version__,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
