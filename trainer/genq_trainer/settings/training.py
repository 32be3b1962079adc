"""Settings shared by the two training stages (TSDAE and MNRL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genq_trainer.settings import checks
from genq_trainer.settings.loader import setting

Pooling = Literal["cls", "mean"]
DeviceChoice = Literal["auto", "cpu", "cuda"]
PrecisionChoice = Literal["auto", "fp32", "bf16", "fp16"]
LrSchedule = Literal["constant", "linear"]


@dataclass(frozen=True, kw_only=True)
class TrainingSettings:
    """Common settings of a training stage. Relative paths resolve against the working directory."""

    base_model: str = setting(
        "bert-base-uncased",
        doc="Hugging Face model id (read from the local cache, offline) or a local model folder "
        "(a transformers model, or a sentence-transformers folder such as the TSDAE output)",
    )
    pooling: Pooling = setting("cls", doc="how token vectors become one sentence vector: cls or mean")
    train_file: str = setting(doc="training data file")
    output_dir: str = setting(doc="folder for the trained sentence-transformers model (written atomically)")
    overwrite: bool = setting(False, doc="replace output_dir if it already exists")
    max_seq_length: int = setting(256, doc="tokens per text; longer texts are truncated, batches padded to their longest")
    batch_size: int = setting(8, doc="texts (TSDAE) or pairs (MNRL) per optimizer step")
    learning_rate: float = setting(3e-5, doc="peak learning rate of AdamW")
    weight_decay: float = setting(0.0, doc="AdamW weight decay (never applied to biases and LayerNorm weights)")
    lr_schedule: LrSchedule = setting(
        "constant", doc="after warm-up: constant, or linear decay to 0 at the last step"
    )
    warmup_ratio: float = setting(0.0, doc="share of the total steps spent warming the learning rate up linearly from 0")
    max_grad_norm: float = setting(1.0, doc="gradient clipping norm; 0 disables clipping")
    epochs: int = setting(1, doc="passes over the data (ignored when max_steps is set)")
    max_steps: int | None = setting(None, doc="total optimizer steps; overrides epochs, cycling the data as needed")
    seed: int = setting(42, doc="seed of the data order, the noise, dropout and newly initialised weights")
    checkpoint_every: int = setting(500, doc="save a checkpoint every N steps; 0 saves only on SIGTERM")
    checkpoint_dir: str | None = setting(None, doc="folder of checkpoints; default '<output_dir>.checkpoints'")
    keep_checkpoints: int = setting(2, doc="newest checkpoints kept in checkpoint_dir; 0 keeps all")
    resume_from: str | None = setting(
        None, doc="checkpoint folder to resume from (same data and schedule settings as the run that wrote it)"
    )
    progress_every: int = setting(10, doc="emit a progress line every N steps (and after the last step)")
    device: DeviceChoice = setting("auto", doc="auto (cuda when available), cpu or cuda")
    precision: PrecisionChoice = setting(
        "auto", doc="auto: bf16 autocast on CUDA when supported, else fp16; fp32 on CPU"
    )
    cpu_threads: int | None = setting(
        None,
        doc="torch intra-op threads; default: torch's choice (one per core). Lower it when other services "
        "share the CPUs: oversubscribed threads slow training down several times",
    )

    def __post_init__(self) -> None:
        checks.require_model_reference("base_model", self.base_model)
        checks.require_file("train_file", self.train_file)
        checks.require_non_empty("output_dir", self.output_dir)
        if self.resume_from is None:
            checks.require_output_free("output_dir", self.output_dir, self.overwrite)
        for name in ("max_seq_length", "batch_size", "epochs", "progress_every"):
            checks.require_positive(name, getattr(self, name))
        checks.require_at_least("max_seq_length", self.max_seq_length, 8)
        checks.require_positive("learning_rate", self.learning_rate)
        checks.require_non_negative("weight_decay", self.weight_decay)
        checks.require_range("warmup_ratio", self.warmup_ratio, 0.0, 1.0)
        checks.require_non_negative("max_grad_norm", self.max_grad_norm)
        if self.max_steps is not None:
            checks.require_positive("max_steps", self.max_steps)
        checks.require_non_negative("checkpoint_every", self.checkpoint_every)
        checks.require_non_negative("keep_checkpoints", self.keep_checkpoints)
        if self.cpu_threads is not None:
            checks.require_positive("cpu_threads", self.cpu_threads)
        if self.resume_from is not None:
            checks.require_dir("resume_from", self.resume_from)

    def resolved_checkpoint_dir(self) -> str:
        return self.checkpoint_dir if self.checkpoint_dir is not None else f"{self.output_dir.rstrip('/')}.checkpoints"


SCHEDULE_KEYS: tuple[str, ...] = (
    "base_model",
    "pooling",
    "max_seq_length",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "lr_schedule",
    "warmup_ratio",
    "max_grad_norm",
    "epochs",
    "max_steps",
    "seed",
)
"""Settings a resumed run must share with the run that wrote the checkpoint (they shape the schedule)."""
