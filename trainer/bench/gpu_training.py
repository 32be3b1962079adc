"""Benchmark 3 of the training issue: MNRL throughput and model FLOPs utilisation (MFU) on one GPU.

What runs, all on a randomly initialised bert-base (``BertConfig()``: 12 layers, hidden 768; nothing is
downloaded) and a tokenizer built here from a generated vocabulary:

* baseline: ``reference_fit.py`` (the method's reference recipe: sentence-transformers ``fit``,
  ``NoDuplicatesDataLoader`` batch 32, mean pooling, ``MultipleNegativesRankingLoss``, fp32), in its own
  process so that our trainer's TF32 switch cannot speed it up;
* ours: the project's MNRL stage itself (``genq_trainer.stages.mnrl.run_mnrl``: tokenisation every step,
  bf16 autocast, fused AdamW, clipping, schedule) at each ``--batch-sizes`` entry and each
  ``--pair-encodings`` entry (``joint``: queries and chunks in one padded encoder pass; ``separate``: a pass
  each); with ``--compile`` again with the encoder under ``torch.compile``.

Inputs: generated pairs whose query is exactly ``--query-tokens`` tokens and whose chunk is exactly
``--chunk-tokens`` tokens, [CLS] and [SEP] included (random words, each one vocabulary entry; checked
before anything trains). Both sides read the same ``pairs.jsonl`` and tokenise it themselves.

Timing: ``--warmup-steps`` steps train untimed, then ``--steps`` steps are timed between two device
synchronisations (ours: the loss read-back at progress lines, a host sync; the baseline: an explicit
``torch.cuda.synchronize``). pairs/s = timed steps x batch / timed seconds.

MFU = useful model FLOPs per pair x pairs/s / the GPU's peak dense bf16 FLOP/s (see ``flops_per_pair``;
padding is not useful work: with ``joint`` our trainer pads the queries to the chunks' length in its single
encoder pass, so a second line gives the FLOPs including padding as well).

On the GPU machine (no network, no .genq venv; PyTorch, transformers and sentence-transformers installed),
from the repository root, one command (give it a 540 s limit)::

    PYTHONPATH=trainer python trainer/bench/gpu_training.py --compile --pair-encodings separate

Time budget (estimated, not yet measured on a GPU): imports, model and data about 30 s; the baseline process
about 30 s (110 fp32 steps of 32 plus its own start-up); each of our eager runs 10-15 s (110 steps, loading and
saving included), four of them by default (two batch sizes, two pair encodings); each ``--compile`` run adds
the compilation of bert-base's forward and backward, about one to two minutes on 16 cores. About 2 minutes
without ``--compile``; with it, keep one encoding (``--compile --pair-encodings separate``), 3 to 5 minutes,
to stay inside 8 minutes. Every
result line is printed as soon as it is measured, so a run cut short keeps what it had. Paste the
``bench gpu-training:`` lines (repeated together at the end). Exit status: 0 all measured, 1 some part failed
(its line says so), 2 no CUDA device.

CPU smoke test of the code path (tiny 2-layer, hidden-64 model, a few steps, one thread; no MFU meaning)::

    PYTHONPATH=trainer .genq/venv/bin/python trainer/bench/gpu_training.py --cpu-smoke
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TRAINER_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_FIT = Path(__file__).resolve().with_name("reference_fit.py")
BASELINE_BATCH = 32  # the reference recipe's batch size
TARGET_MFU_PERCENT = 40.0
MAX_SEQ_LENGTH = 256  # both sides' setting; the generated texts are shorter, so nothing is truncated

# Peak dense (no sparsity) bf16 tensor-core FLOP/s, from NVIDIA's data sheets; the first matching
# substring of torch.cuda.get_device_name wins.
PEAK_BF16_TFLOPS = (
    ("H200", 989.4),
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.5),
    ("H100", 989.4),  # SXM ("NVIDIA H100 80GB HBM3")
    ("A100", 312.0),
)

logger = logging.getLogger("gpu_training")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", default="32,128", help="our trainer's batch sizes, comma-separated")
    parser.add_argument("--warmup-steps", type=int, default=10, help="untimed steps before the timed ones")
    parser.add_argument("--steps", type=int, default=100, help="timed steps of each run")
    parser.add_argument("--query-tokens", type=int, default=16, help="tokens per query, [CLS] and [SEP] included")
    parser.add_argument("--chunk-tokens", type=int, default=64, help="tokens per chunk, [CLS] and [SEP] included")
    parser.add_argument("--compile", action="store_true", help="also time our trainer with the encoder under torch.compile")
    parser.add_argument("--pair-encodings", default="joint,separate", help="our trainer's pair_encoding values, comma-separated")
    parser.add_argument("--no-baseline", action="store_true", help="skip the sentence-transformers fp32 baseline")
    parser.add_argument("--fit-impl", choices=("auto", "fit", "old_fit"), default="auto", help="baseline fit path")
    parser.add_argument("--peak-tflops", type=float, default=None, help="peak dense bf16 TFLOP/s (overrides detection)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", default=None, help="folder for the model, pairs and outputs (default: a temp folder, removed)")
    parser.add_argument("--verbose", action="store_true", help="the trainer's INFO logs on stderr")
    parser.add_argument(
        "--cpu-smoke", action="store_true", help="tiny model on CPU, a few steps: tests the code path, measures nothing"
    )
    args = parser.parse_args(argv)
    if args.cpu_smoke:
        args.warmup_steps = min(args.warmup_steps, 2)
        args.steps = min(args.steps, 4)
    args.batch_sizes = [int(size) for size in str(args.batch_sizes).split(",") if size.strip()]
    args.pair_encodings = [value.strip() for value in str(args.pair_encodings).split(",") if value.strip()]
    if not args.pair_encodings or any(value not in ("joint", "separate") for value in args.pair_encodings):
        parser.error("--pair-encodings: joint and/or separate, comma-separated")
    if any(size < 2 for size in args.batch_sizes):
        parser.error("--batch-sizes: each must be at least 2 (in-batch negatives)")
    if args.warmup_steps < 1 or args.steps < 1:
        parser.error("--warmup-steps and --steps must be at least 1")
    if not 3 <= args.query_tokens <= MAX_SEQ_LENGTH or not 3 <= args.chunk_tokens <= MAX_SEQ_LENGTH:
        parser.error(f"--query-tokens and --chunk-tokens must be in [3, {MAX_SEQ_LENGTH}]")
    return args


# ---------------------------------------------------------------- model, tokenizer and data


@dataclass(frozen=True)
class Shape:
    layers: int
    hidden: int
    non_embedding_params: int  # the encoder layers' parameters (embeddings and BERT's unused pooler excluded)


def vocabulary_words(count: int) -> list[str]:
    """``count`` distinct lowercase 4-letter words (26^4 > 30522): each stays one WordPiece token."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = []
    for index in range(count):
        word = ""
        for _ in range(4):
            index, digit = divmod(index, 26)
            word += letters[digit]
        words.append(word)
    return words


def build_model_folder(folder: Path, cpu_smoke: bool, seed: int) -> tuple[Shape, list[str]]:
    """A randomly initialised BERT (bert-base sizes, or tiny for the smoke test) and its tokenizer, saved."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    config = BertConfig()  # bert-base-uncased's sizes: 12 layers, hidden 768, 12 heads, 3072, vocab 30522
    if cpu_smoke:
        config = BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=256)
    torch.manual_seed(seed)
    model = BertModel(config)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = vocabulary_words(config.vocab_size - len(specials))
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(specials + words) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True, model_max_length=config.max_position_embeddings)
    tokenizer.save_pretrained(str(folder))
    model.save_pretrained(str(folder))
    shape = Shape(
        layers=config.num_hidden_layers,
        hidden=config.hidden_size,
        non_embedding_params=sum(parameter.numel() for parameter in model.encoder.parameters()),
    )
    return shape, words


def write_pairs(path: Path, words: list[str], count: int, query_tokens: int, chunk_tokens: int, seed: int) -> None:
    """``count`` (query, chunk) pairs of random words: query_tokens - 2 and chunk_tokens - 2 words."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(count):
            query = " ".join(rng.choices(words, k=query_tokens - 2))
            chunk = " ".join(rng.choices(words, k=chunk_tokens - 2))
            record = {"query": query, "chunk": chunk, "chunk_id": f"c{index}", "listing_id": f"l{index}"}
            handle.write(json.dumps(record) + "\n")


def check_token_lengths(model_folder: Path, pairs_file: Path, query_tokens: int, chunk_tokens: int) -> None:
    """The tokenizer the trainers load must give exactly the lengths the FLOPs count assumes."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_folder))
    with open(pairs_file, encoding="utf-8") as handle:
        sample = [json.loads(next(handle)) for _ in range(8)]
    for record in sample:
        got = (len(tokenizer(record["query"])["input_ids"]), len(tokenizer(record["chunk"])["input_ids"]))
        if got != (query_tokens, chunk_tokens):
            raise RuntimeError(f"generated texts tokenise to {got} tokens, expected {(query_tokens, chunk_tokens)}")


# ---------------------------------------------------------------- FLOPs


def sequence_training_flops(shape: Shape, tokens: int) -> float:
    """Forward + backward FLOPs of one sequence of ``tokens`` tokens through the encoder:

        6 * N * T  +  12 * layers * T^2 * hidden

    N = non-embedding parameters: each takes part in one multiply-add (2 FLOPs) per token forward, and
    backward costs twice the forward (gradients of activations and of weights): 2 * 3 = 6.
    Attention's two T x T products (Q K^T and the weighted sum of V) take 2 * 2 * T^2 * hidden FLOPs per
    layer forward, x3 with backward: 12 * T^2 * hidden per layer. (Kaplan et al. 2020; PaLM appendix B.)
    Embedding look-ups, softmax, LayerNorm and the loss are left out, as usual for MFU.
    """
    return 6.0 * shape.non_embedding_params * tokens + 12.0 * shape.layers * tokens * tokens * shape.hidden


def flops_per_pair(shape: Shape, query_tokens: int, chunk_tokens: int) -> float:
    """Useful training FLOPs of one (query, chunk) pair: both texts at their own length."""
    return sequence_training_flops(shape, query_tokens) + sequence_training_flops(shape, chunk_tokens)


def padded_flops_per_pair(shape: Shape, query_tokens: int, chunk_tokens: int) -> float:
    """FLOPs our trainer actually spends per pair: queries and chunks share one batch padded to the longest."""
    return 2 * sequence_training_flops(shape, max(query_tokens, chunk_tokens))


def peak_tflops(override: float | None, device_name: str) -> tuple[float | None, str]:
    if override is not None:
        return override, "--peak-tflops"
    for marker, tflops in PEAK_BF16_TFLOPS:
        if marker in device_name:
            return tflops, f"data sheet, {marker}"
    return None, "unknown device: pass --peak-tflops for MFU"


# ---------------------------------------------------------------- runs


@dataclass
class Measurement:
    pairs_per_s: float
    timed_s: float
    timed_steps: int
    detail: str


def json_or_none(line: str) -> dict | None:
    """A JSON object line, or None: fit's Trainer prints its own (Python-repr) dicts on stdout too."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def run_baseline(args: argparse.Namespace, model_folder: Path, pairs_file: Path, work: Path, device: str) -> Measurement:
    """reference_fit.py in its own process, fp32, batch 32, the first warm-up steps untimed."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TRAINER_ROOT), environment.get("PYTHONPATH")]))
    environment.setdefault("WANDB_MODE", "disabled")  # fit's Trainer reports to any installed tracker; no network here
    command = [
        sys.executable,
        str(REFERENCE_FIT),
        "--pairs", str(pairs_file),
        "--base-model", str(model_folder),
        "--output", str(work / "baseline-output"),
        "--steps", str(args.warmup_steps + args.steps),
        "--untimed-steps", str(args.warmup_steps),
        "--batch-size", str(BASELINE_BATCH),
        "--max-seq-length", str(MAX_SEQ_LENGTH),
        "--seed", str(args.seed),
        "--device", device,
        "--fit-impl", args.fit_impl,
    ]  # fmt: skip
    if args.cpu_smoke:
        command += ["--threads", "1"]
    log_file = work / "baseline.log"
    with open(log_file, "w", encoding="utf-8") as log:
        finished = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, text=True, env=environment, timeout=420)
    done = [record for record in map(json_or_none, finished.stdout.splitlines()) if record and record.get("type") == "done"]
    if finished.returncode != 0 or not done:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"reference_fit.py exited {finished.returncode}; its log ends:\n{tail}")
    result = done[-1]
    return Measurement(
        pairs_per_s=float(result["pairs_per_s"]),
        timed_s=float(result["train_s"]),
        timed_steps=int(result["timed_steps"]),
        detail=f"sentence-transformers {result['fit_impl']} on {result.get('device', device)}",
    )


def run_ours(
    args: argparse.Namespace, model_folder: Path, pairs_file: Path, work: Path, batch_size: int, pair_encoding: str, compiled: bool
) -> Measurement:
    """The project's MNRL stage for warm-up + timed steps; the timed span runs between two progress lines."""
    import torch

    import genq_trainer.stages.mnrl as mnrl_stage
    from genq_trainer.protocol import ListSink, Reporter
    from genq_trainer.settings import load_settings
    from genq_trainer.settings.mnrl import MnrlSettings
    from genq_trainer.training.preemption import PreemptionFlag

    # A progress line reads the loss back (a host sync) and stamps elapsed_s: the warm-up must end on one.
    progress_every = math.gcd(args.warmup_steps, 10)
    output = work / f"ours-b{batch_size}-{pair_encoding}{'-compiled' if compiled else ''}"
    settings = load_settings(
        MnrlSettings,
        {
            "base_model": str(model_folder),
            "pooling": "mean",
            "train_file": str(pairs_file),
            "output_dir": str(output),
            "overwrite": True,
            "max_seq_length": MAX_SEQ_LENGTH,
            "batch_size": batch_size,
            "pair_encoding": pair_encoding,
            "max_steps": args.warmup_steps + args.steps,
            "checkpoint_every": 0,
            "progress_every": progress_every,
            "eval_every": 0,
            "device": "cpu" if args.cpu_smoke else "cuda",
            "precision": "fp32" if args.cpu_smoke else "bf16",
            "seed": args.seed,
            **({"cpu_threads": 1} if args.cpu_smoke else {}),
        },
        source="gpu_training",
    )
    original_load_encoder = mnrl_stage.load_encoder

    def load_compiled_encoder(*positional, **named):  # type: ignore[no-untyped-def]
        encoder = original_load_encoder(*positional, **named)
        encoder[0].auto_model.compile()  # in place: parameter names and the saved model stay as they are
        return encoder

    sink = ListSink()
    if compiled:
        torch._dynamo.reset()  # a fresh compile per batch size, not a dynamic-shape recompile
        mnrl_stage.load_encoder = load_compiled_encoder
    try:
        mnrl_stage.run_mnrl(settings, Reporter(sink), PreemptionFlag())
    finally:
        mnrl_stage.load_encoder = original_load_encoder
        shutil.rmtree(output, ignore_errors=True)
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    by_step = {event["step"]: event for event in sink.of_type("progress")}
    last = args.warmup_steps + args.steps
    timed_s = by_step[last]["elapsed_s"] - by_step[args.warmup_steps]["elapsed_s"]
    return Measurement(
        pairs_per_s=args.steps * batch_size / timed_s,
        timed_s=timed_s,
        timed_steps=args.steps,
        detail=f"final loss {by_step[last]['loss']:.4f}",
    )


# ---------------------------------------------------------------- report


class Report:
    """Prints each result line at once (a later failure or timeout keeps it) and all of them again at the end."""

    def __init__(self, bench: str) -> None:
        self.bench = bench
        self.lines: list[str] = []
        self.failed = False

    def info(self, text: str) -> None:
        print(f"  {text}", flush=True)

    def result(self, figure: str, value: str, unit: str, baseline: str, ratio: float | None) -> None:
        ratio_text = f"{ratio:.2f}" if ratio is not None else "n/a"
        line = f"bench {self.bench}: {figure}={value}{f' {unit}' if unit else ''} baseline={baseline} ratio={ratio_text}"
        self.lines.append(line)
        print(line, flush=True)

    def failure(self, what: str, error: BaseException) -> None:
        self.failed = True
        line = f"bench {self.bench}: {what} FAILED: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        self.lines.append(line)
        print(line, flush=True)
        traceback.print_exception(error, file=sys.stderr)

    def summary(self) -> None:
        print(f"---- bench {self.bench} summary", flush=True)
        for line in self.lines:
            print(line, flush=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    import torch

    if not torch.cuda.is_available() and not args.cpu_smoke:
        print(
            "gpu_training.py: no CUDA device (torch.cuda.is_available() is False). This benchmark measures GPU "
            "training; run it on a GPU machine, or pass --cpu-smoke to test the code path on CPU.",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    import sentence_transformers
    import transformers

    report = Report("gpu-training-cpu-smoke" if args.cpu_smoke else "gpu-training")
    device = "cpu" if args.cpu_smoke else "cuda"
    device_name = "CPU (smoke test)" if args.cpu_smoke else torch.cuda.get_device_name(0)
    peak, peak_source = peak_tflops(args.peak_tflops, device_name)
    if args.cpu_smoke and peak is None:
        peak, peak_source = 1.0, "nominal 1 TFLOP/s for the smoke test: MFU figures mean nothing"
    dtype_label = "fp32" if args.cpu_smoke else "bf16"
    report.info(
        f"device {device_name}; peak dense bf16 {peak if peak is not None else '?'} TFLOP/s ({peak_source}); "
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"sentence-transformers {sentence_transformers.__version__}"
    )

    own_work = args.work_dir is None
    work = Path(tempfile.mkdtemp(prefix="gpu-training-")) if own_work else Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        model_folder = work / "random-bert"
        shape, words = build_model_folder(model_folder, args.cpu_smoke, args.seed)
        pairs_file = work / "pairs.jsonl"
        pair_count = max([*args.batch_sizes, BASELINE_BATCH]) * (args.warmup_steps + args.steps)
        write_pairs(pairs_file, words, pair_count, args.query_tokens, args.chunk_tokens, args.seed)
        check_token_lengths(model_folder, pairs_file, args.query_tokens, args.chunk_tokens)
        useful = flops_per_pair(shape, args.query_tokens, args.chunk_tokens)
        padded = padded_flops_per_pair(shape, args.query_tokens, args.chunk_tokens)
        report.info(
            f"random BERT {shape.layers} layers, hidden {shape.hidden}, {shape.non_embedding_params / 1e6:.1f}M "
            f"non-embedding parameters; query {args.query_tokens} + chunk {args.chunk_tokens} tokens; "
            f"{pair_count} pairs; {args.warmup_steps} warm-up + {args.steps} timed steps per run"
        )
        report.info(
            f"training FLOPs per pair: {useful / 1e9:.2f} GFLOP useful, {padded / 1e9:.2f} GFLOP as our trainer "
            f"pads queries to the chunks' length in a joint encoder pass"
        )

        baseline: Measurement | None = None
        if not args.no_baseline:
            try:
                baseline = run_baseline(args, model_folder, pairs_file, work, device)
                report.info(
                    f"baseline {baseline.detail}, fp32, batch {BASELINE_BATCH}: {baseline.timed_steps} steps in "
                    f"{baseline.timed_s:.2f} s, {baseline.pairs_per_s:.1f} pairs/s"
                )
            except Exception as error:  # the baseline failing must not lose our numbers
                report.failure(f"baseline fp32 b{BASELINE_BATCH}", error)
        baseline_text = f"{baseline.pairs_per_s:.1f}" if baseline is not None else "n/a"

        variants = [(size, encoding, False) for encoding in args.pair_encodings for size in args.batch_sizes]
        if args.compile:
            variants += [(size, encoding, True) for encoding in args.pair_encodings for size in args.batch_sizes]
        for batch_size, pair_encoding, compiled in variants:
            suffix = f"{dtype_label}_{pair_encoding}{'_compiled' if compiled else ''}_b{batch_size}"
            try:
                started = time.perf_counter()
                ours = run_ours(args, model_folder, pairs_file, work, batch_size, pair_encoding, compiled)
            except Exception as error:
                report.failure(f"ours {suffix}", error)
                continue
            mfu = 100.0 * useful * ours.pairs_per_s / (peak * 1e12) if peak is not None else None
            computed = padded if pair_encoding == "joint" else useful
            hardware = 100.0 * computed * ours.pairs_per_s / (peak * 1e12) if peak is not None else None
            report.info(
                f"ours {suffix}: {ours.timed_steps} steps in {ours.timed_s:.3f} s "
                f"({1000 * ours.timed_s / ours.timed_steps:.1f} ms/step), {ours.detail}; "
                f"run with loading and saving {time.perf_counter() - started:.1f} s"
                + (f"; FLOPs utilisation counting padding {hardware:.1f} %" if hardware is not None else "")
            )
            report.result(
                f"mnrl_pairs_per_s_{suffix}",
                f"{ours.pairs_per_s:.1f}",
                "pairs/s",
                baseline_text,
                ours.pairs_per_s / baseline.pairs_per_s if baseline is not None else None,
            )
            if mfu is not None:
                report.result(f"mfu_{suffix}", f"{mfu:.1f}", "%", f"{TARGET_MFU_PERCENT:.0f}", mfu / TARGET_MFU_PERCENT)
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
    report.summary()
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
