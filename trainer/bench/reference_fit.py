"""Baseline for bench/trainingThroughput.ts: MNRL fine-tuning the way the method's reference code does it.

The reference (../shared/data/seed_genq/README.md) trains with sentence-transformers ``fit``:
``InputExample(texts=[document, query])`` (the chunk is the anchor, the query its positive),
``NoDuplicatesDataLoader`` with batch 32, ``models.Transformer`` + mean ``models.Pooling``,
``MultipleNegativesRankingLoss`` (cosine, scale 20), ``warmup_steps = int(total_steps * 0.1)``, and
everything else at ``fit``'s defaults (AdamW lr 2e-5, weight decay 0.01, WarmupLinear, clip 1.0, fp32).
This script does exactly that on a ``pairs.jsonl`` (the same file the project's trainer reads), for a given
number of steps, and reports the training time.

``--fit-impl``:
  * ``fit``: ``SentenceTransformer.fit`` as it is in the installed sentence-transformers (since v3 a
    wrapper over ``SentenceTransformerTrainer``; it needs the ``datasets`` and ``accelerate`` packages,
    which the project's pinned environment does not have; put them on PYTHONPATH for this script only).
  * ``old_fit``: the pre-v3 ``fit`` loop, kept in the library as ``old_fit`` (no extra packages).
  * ``auto`` (default): ``fit`` when ``datasets`` and ``accelerate`` import, else ``old_fit``.

The timed span is the training itself: ``SentenceTransformerTrainer.train`` for ``fit`` (the conversion of
the loader into a ``datasets`` table before it is not counted), the whole ``old_fit`` call for ``old_fit``.
The project's trainer reports its loop time the same way (model loading and data reading excluded).
With ``--untimed-steps K`` the first K steps still train but are left out of the timing (kernel, allocator
and cuBLAS warm-up on a GPU): the clock starts, after a device synchronisation, when the loss is called for
step K + 1, and stops after ``fit`` returns and the device is synchronised again.

Usage (from the repository root):
  HF_HUB_OFFLINE=1 PYTHONPATH=trainer .genq/venv/bin/python trainer/bench/reference_fit.py \
      --pairs pairs.jsonl --base-model PATH --steps 20 --output OUT_DIR

stdout: one JSON object, ``{"type": "done", "fit_impl", "steps", "pairs", "train_s", "fit_s",
"pairs_per_s", "output"}``; logs go to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import random
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

logger = logging.getLogger("reference_fit")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", required=True, help="pairs.jsonl ({query, chunk, chunk_id, listing_id} per line)")
    parser.add_argument("--base-model", required=True, help="Hugging Face id (local cache) or local model folder")
    parser.add_argument("--output", required=True, help="folder for the trained model")
    parser.add_argument("--steps", type=int, required=True, help="optimizer steps (steps_per_epoch, 1 epoch)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-seq-length", type=int, default=256)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)")
    parser.add_argument("--fit-impl", choices=("auto", "fit", "old_fit"), default="auto")
    parser.add_argument(
        "--device", default="cpu", help="torch device of the model (old_fit trains there; fit's Trainer picks CUDA when present)"
    )
    parser.add_argument("--untimed-steps", type=int, default=0, help="first steps trained but left out of the timing")
    return parser.parse_args(argv)


def fit_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("datasets", "accelerate"))


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    fit_impl = args.fit_impl
    if fit_impl == "auto":
        fit_impl = "fit" if fit_available() else "old_fit"
    elif fit_impl == "fit" and not fit_available():
        print("--fit-impl fit needs the datasets and accelerate packages on PYTHONPATH", file=sys.stderr)
        return 64

    import numpy as np
    import torch
    from sentence_transformers import InputExample, SentenceTransformer, losses, models
    from sentence_transformers.datasets import NoDuplicatesDataLoader

    from genq_trainer.data.pairs import read_pairs  # the same reader (and blank-pair filter) as our trainer

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    random.seed(args.seed)  # NoDuplicatesDataLoader shuffles with the global `random`
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    pairs = read_pairs(args.pairs).pairs
    # The reference: InputExample(texts=[row['document'], row['query']]).
    examples = [InputExample(texts=[pair.chunk, pair.query]) for pair in pairs]
    loader = NoDuplicatesDataLoader(examples, batch_size=args.batch_size)

    bert = models.Transformer(args.base_model, max_seq_length=args.max_seq_length)
    pooler = models.Pooling(bert.get_word_embedding_dimension(), pooling_mode_mean_tokens=True)
    model = SentenceTransformer(modules=[bert, pooler], device=args.device)
    loss = losses.MultipleNegativesRankingLoss(model)
    if not 0 <= args.untimed_steps < args.steps:
        print(f"--untimed-steps must be in [0, --steps), got {args.untimed_steps}", file=sys.stderr)
        return 64

    def synchronize() -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()

    # The loss module is called once per optimizer step, in both fit implementations.
    loss_calls = 0
    clock_started: list[float] = []

    def start_clock_after_untimed(_module, _inputs):  # type: ignore[no-untyped-def]
        nonlocal loss_calls
        if loss_calls == args.untimed_steps and args.untimed_steps > 0:
            synchronize()
            clock_started.append(time.perf_counter())
        loss_calls += 1

    loss.register_forward_pre_hook(start_clock_after_untimed)
    warmup_steps = int(args.steps * args.warmup_ratio)
    logger.info(
        "%s: %d pairs, %d steps of %d, warm-up %d, threads %d, base %s",
        fit_impl, len(examples), args.steps, args.batch_size, warmup_steps, torch.get_num_threads(), args.base_model,
    )

    train_s: list[float] = []
    if fit_impl == "fit":
        from sentence_transformers.trainer import SentenceTransformerTrainer

        original_train = SentenceTransformerTrainer.train

        def timed_train(self, *a, **kw):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return original_train(self, *a, **kw)
            finally:
                train_s.append(time.perf_counter() - started)

        SentenceTransformerTrainer.train = timed_train  # type: ignore[method-assign]
        fit = model.fit
    else:
        fit = model.old_fit

    # fit's Trainer path writes its (unused) output_dir relative to the working directory.
    checkpoint_path = os.path.join(os.path.abspath(args.output) + ".fit-work")
    started = time.perf_counter()
    kwargs = dict(
        train_objectives=[(loader, loss)],
        epochs=1,
        steps_per_epoch=args.steps,
        warmup_steps=warmup_steps,
        show_progress_bar=False,
    )
    if fit_impl == "fit":
        os.makedirs(checkpoint_path, exist_ok=True)
        cwd = os.getcwd()
        os.chdir(checkpoint_path)
        try:
            fit(**kwargs)
        finally:
            os.chdir(cwd)
    else:
        fit(**kwargs)
    synchronize()
    ended = time.perf_counter()
    fit_s = ended - started
    timed = train_s[0] if train_s else fit_s
    timed_steps = args.steps
    if args.untimed_steps > 0:
        if not clock_started:
            print(f"the loss was called {loss_calls} times, never for step {args.untimed_steps + 1}", file=sys.stderr)
            return 70
        timed = ended - clock_started[0]
        timed_steps = args.steps - args.untimed_steps
    model.save(args.output)

    trained_pairs = timed_steps * args.batch_size
    print(
        json.dumps(
            {
                "type": "done",
                "fit_impl": fit_impl,
                "steps": args.steps,
                "timed_steps": timed_steps,
                "pairs": trained_pairs,
                "train_s": round(timed, 3),
                "fit_s": round(fit_s, 3),
                "pairs_per_s": round(trained_pairs / timed, 3),
                "threads": torch.get_num_threads(),
                "device": str(model.device),
                "output": os.path.abspath(args.output),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
