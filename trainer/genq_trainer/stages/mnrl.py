"""Stage ``mnrl``: fine-tune the encoder on (query, chunk) pairs with in-batch negatives.

Batches never hold the same query or chunk text twice (no false negatives). With ``cached: true`` the
GradCache variant embeds in mini-batches of ``mini_batch_size``, so a large ``batch_size`` (more
negatives) fits in memory. With ``eval_file`` the held-out queries are ranked against the held-out chunks
every ``eval_every`` steps and after the last.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sentence_transformers import SentenceTransformer
from torch import Tensor

from genq_trainer.data.no_duplicates_batches import no_duplicates_batches
from genq_trainer.data.pairs import read_pairs
from genq_trainer.errors import DataError
from genq_trainer.evaluation.retrieval import RetrievalEvaluator
from genq_trainer.modeling.cached_mnrl import cached_mnrl_step
from genq_trainer.modeling.encoder import load_encoder
from genq_trainer.modeling.mnrl_loss import mnrl_loss
from genq_trainer.modeling.tokenize import embed_in_batches, tokenize
from genq_trainer.protocol import Reporter
from genq_trainer.settings.loader import log_settings
from genq_trainer.settings.mnrl import MNRL_SCHEDULE_KEYS, MnrlSettings
from genq_trainer.stages.model_output import write_model_output
from genq_trainer.stages.result import StageResult
from genq_trainer.stages.training_run import data_record, output_record, result_metrics, train
from genq_trainer.training.checkpoint import TrainState
from genq_trainer.training.precision import Precision
from genq_trainer.training.preemption import PreemptionFlag
from genq_trainer.training.rng import seed_everything

logger = logging.getLogger(__name__)

STAGE = "mnrl"


def uses_joint_pass(pair_encoding: str, device_type: str) -> bool:
    """Whether a step encodes queries and chunks in one padded pass. On a CPU the step is bound by FLOPs,
    so padding short queries to the chunks' length only costs; on a GPU short-text steps are bound by kernel
    launches, which one pass halves."""
    if pair_encoding == "auto":
        return device_type == "cuda"
    return pair_encoding == "joint"


def run_mnrl(settings: MnrlSettings, reporter: Reporter, preemption: PreemptionFlag) -> StageResult:
    log_settings(STAGE, settings)
    pair_set = read_pairs(settings.train_file)
    pairs = pair_set.pairs
    if len(pairs) < settings.batch_size:
        raise DataError(
            f"{settings.train_file} has {len(pairs)} usable pairs, fewer than batch_size {settings.batch_size}",
            advice="add pairs or lower batch_size",
        )
    texts = [(pair.query, pair.chunk) for pair in pairs]
    data = data_record(settings.train_file, len(pairs), quarantined=len(pair_set.quarantined_lines))
    evaluator = RetrievalEvaluator(read_pairs(settings.eval_file).pairs) if settings.eval_file else None

    precision = Precision.create(settings.device, settings.precision, settings.cpu_threads)
    seed_everything(settings.seed)
    encoder: SentenceTransformer = load_encoder(
        settings.base_model, settings.pooling, settings.max_seq_length, str(precision.device)
    )
    tokenizer = encoder.tokenizer
    device = precision.device

    joint_pass = uses_joint_pass(settings.pair_encoding, device.type)
    logger.info("mnrl: queries and chunks are encoded %s", "in one pass" if joint_pass else "in separate passes")

    def embed(features: dict[str, Tensor]) -> Tensor:
        return encoder(features)["sentence_embedding"]  # (batch, hidden)

    # Characters stand in for tokens: the order only needs lengths to rank, and they cost nothing to measure.
    chunk_lengths = [len(pair.chunk) for pair in pairs] if settings.group_by_length else None

    def batches_for_epoch(epoch: int) -> list[list[int]]:
        return no_duplicates_batches(texts, settings.batch_size, settings.seed, epoch, chunk_lengths=chunk_lengths)

    def run_step(batch: list[int], state: TrainState) -> tuple[Tensor, int]:
        query_texts = [pairs[index].query for index in batch]
        chunk_texts = [pairs[index].chunk for index in batch]
        if settings.cached:
            loss = cached_mnrl_step(
                embed,
                tokenize(tokenizer, query_texts, settings.max_seq_length, device),
                tokenize(tokenizer, chunk_texts, settings.max_seq_length, device),
                scale=settings.scale,
                mini_batch_size=settings.mini_batch_size,
                autocast=precision.autocast,
                backward=precision.backward,
            )
            return loss, len(batch)
        if joint_pass:
            # One batch: half the kernel launches of two passes, which is what bounds a step of short texts
            # on a GPU. Padding never changes an embedding.
            features = tokenize(tokenizer, query_texts + chunk_texts, settings.max_seq_length, device)
            with precision.autocast():
                embeddings = embed(features)  # (2 * batch, hidden): queries, then chunks
                loss = mnrl_loss(embeddings[: len(batch)], embeddings[len(batch) :], settings.scale)
        else:
            # Two passes: a query is not padded to its chunk's length, so a step costs about
            # (query + chunk) tokens per pair instead of twice the longer of the two.
            query_features = tokenize(tokenizer, query_texts, settings.max_seq_length, device)
            chunk_features = tokenize(tokenizer, chunk_texts, settings.max_seq_length, device)
            with precision.autocast():
                loss = mnrl_loss(embed(query_features), embed(chunk_features), settings.scale)
        precision.backward(loss)
        return loss.detach(), len(batch)

    def embed_texts(batch_texts: Sequence[str]) -> Tensor:
        features = tokenize(tokenizer, batch_texts, settings.max_seq_length, device)
        with precision.autocast():
            return embed(features).float()

    def evaluate() -> dict[str, float]:
        if evaluator is None:
            return {}
        return evaluator.evaluate(lambda items: embed_in_batches(items, embed_texts, settings.eval_batch_size))

    result = train(
        stage=STAGE,
        settings=settings,
        schedule_keys=MNRL_SCHEDULE_KEYS,
        model=encoder,
        precision=precision,
        batches_for_epoch=batches_for_epoch,
        run_step=run_step,
        data=data,
        reporter=reporter,
        preemption=preemption,
        evaluate=evaluate if evaluator is not None else None,
        eval_every=settings.eval_every,
    )
    output = write_model_output(
        encoder,
        settings.output_dir,
        overwrite=settings.overwrite or settings.resume_from is not None,
        record=output_record(STAGE, settings, data, result, precision),
    )
    return StageResult(output=output, metrics=result_metrics(result))
