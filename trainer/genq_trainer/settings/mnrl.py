"""Settings of the MNRL stage (fine-tuning on (query, chunk) pairs with in-batch negatives)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genq_trainer.errors import ConfigError
from genq_trainer.settings import checks
from genq_trainer.settings.loader import setting
from genq_trainer.settings.training import SCHEDULE_KEYS, LrSchedule, Pooling, TrainingSettings

PairEncoding = Literal["auto", "joint", "separate"]


@dataclass(frozen=True, kw_only=True)
class MnrlSettings(TrainingSettings):
    """MNRL: defaults follow the method (mean pooling, batch 32, 10% linear warm-up then linear decay,
    cosine similarity with scale 20) and sentence-transformers' fit defaults (lr 2e-5, weight decay 0.01)."""

    pooling: Pooling = setting("mean", doc="how token vectors become one sentence vector: cls or mean")
    train_file: str = setting(doc='pairs.jsonl: one {"query","chunk","chunk_id","listing_id"} object per line')
    batch_size: int = setting(32, doc="pairs per step; each pair's chunk is a negative for the other queries")
    learning_rate: float = setting(2e-5, doc="peak learning rate of AdamW")
    weight_decay: float = setting(0.01, doc="AdamW weight decay (never applied to biases and LayerNorm weights)")
    lr_schedule: LrSchedule = setting("linear", doc="after warm-up: constant, or linear decay to 0 at the last step")
    warmup_ratio: float = setting(0.1, doc="share of the total steps spent warming the learning rate up linearly from 0")
    scale: float = setting(20.0, doc="multiplier of the cosine similarities before the softmax (inverse temperature)")
    cached: bool = setting(
        False, doc="GradCache variant: embed in mini-batches so batch_size is not bounded by device memory"
    )
    mini_batch_size: int = setting(32, doc="with cached: texts embedded at once")
    group_by_length: bool = setting(
        True,
        doc="batches of pairs with chunks of similar length (sorted within windows of 16 batches, batch order "
        "shuffled): much less padding, the same pairs per epoch, no duplicate texts in a batch",
    )
    pair_encoding: PairEncoding = setting(
        "auto",
        doc="joint: queries and chunks in one padded encoder pass (half the kernel launches, but short queries "
        "are padded to the chunks' length); separate: one pass each (fewer FLOPs); auto: separate on CPU, "
        "joint on a GPU",
    )
    eval_file: str | None = setting(None, doc="held-out pairs.jsonl scored with mrr@10, ndcg@10 and recall@10")
    eval_every: int = setting(500, doc="evaluate every N steps (and after the last); 0: only after the last")
    eval_batch_size: int = setting(64, doc="texts embedded at once during evaluation")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.batch_size < 2:
            raise ConfigError(
                f"setting 'batch_size' must be >= 2 for in-batch negatives, got {self.batch_size!r}"
            )
        checks.require_positive("scale", self.scale)
        checks.require_positive("mini_batch_size", self.mini_batch_size)
        checks.require_non_negative("eval_every", self.eval_every)
        checks.require_positive("eval_batch_size", self.eval_batch_size)
        if self.eval_file is not None:
            checks.require_file("eval_file", self.eval_file)


MNRL_SCHEDULE_KEYS: tuple[str, ...] = (*SCHEDULE_KEYS, "scale", "cached", "mini_batch_size", "group_by_length")
