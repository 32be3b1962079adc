"""Typed errors and the process exit codes they map to.

Every failure the trainer reports on the protocol is a :class:`TrainerError` carrying a ``kind`` (what the
trainer bridge shows and decides retries on), an exit code and an ``advice`` line that says what to fix.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Literal

ErrorKind = Literal["config", "data", "oom", "crash"]


class ExitCode(enum.IntEnum):
    """Process exit codes (the trainer bridge keys its retry decisions on these)."""

    DONE = 0
    """The stage finished and emitted ``done``."""
    FAILURE = 1
    """Any other failure (a crash, a failed export parity check)."""
    BAD_INPUT = 64
    """Bad configuration or data: not retryable until someone fixes the input."""
    OUT_OF_MEMORY = 70
    """The device ran out of memory: retry with a smaller batch or sequence length."""
    PREEMPTED = 75
    """SIGTERM received: the current step finished, a checkpoint was saved and emitted."""


class TrainerError(Exception):
    """Base of the failures reported as an ``error`` line on the protocol."""

    kind: ClassVar[ErrorKind] = "crash"
    exit_code: ClassVar[ExitCode] = ExitCode.FAILURE
    default_advice: ClassVar[str] = "see the trainer's log on stderr"

    def __init__(self, message: str, advice: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice if advice is not None else self.default_advice


class ConfigError(TrainerError, ValueError):
    """A setting is missing, unknown, of the wrong type or out of range, or names a missing file."""

    kind: ClassVar[ErrorKind] = "config"
    exit_code: ClassVar[ExitCode] = ExitCode.BAD_INPUT
    default_advice: ClassVar[str] = "fix the named setting in the config file and start again"


class DataError(TrainerError, ValueError):
    """An input file exists but its content cannot be used (malformed lines, too few records)."""

    kind: ClassVar[ErrorKind] = "data"
    exit_code: ClassVar[ExitCode] = ExitCode.BAD_INPUT
    default_advice: ClassVar[str] = "fix or regenerate the named input file and start again"


class ParityError(TrainerError):
    """The exported ONNX graph does not reproduce the PyTorch embeddings closely enough."""

    kind: ClassVar[ErrorKind] = "data"
    exit_code: ClassVar[ExitCode] = ExitCode.FAILURE
    default_advice: ClassVar[str] = (
        "the ONNX graph diverges from PyTorch: check the model's architecture is supported by the exporter, "
        "or lower parity_min_cosine only if the gap is understood"
    )


class OutOfMemory(TrainerError):
    """The accelerator (or host) ran out of memory."""

    kind: ClassVar[ErrorKind] = "oom"
    exit_code: ClassVar[ExitCode] = ExitCode.OUT_OF_MEMORY
    default_advice: ClassVar[str] = (
        "lower batch_size or max_seq_length, or for mnrl set cached: true with a smaller mini_batch_size"
    )


class TrainingDiverged(TrainerError):
    """The loss became NaN or infinite."""

    kind: ClassVar[ErrorKind] = "crash"
    exit_code: ClassVar[ExitCode] = ExitCode.FAILURE
    default_advice: ClassVar[str] = "lower learning_rate, or set precision: fp32 (or bf16) instead of fp16"


class Preempted(Exception):
    """Raised after a SIGTERM once the checkpoint of the finished step is saved and emitted."""

    def __init__(self, step: int, checkpoint_path: str) -> None:
        super().__init__(f"pre-empted after step {step}; checkpoint at {checkpoint_path}")
        self.step = step
        self.checkpoint_path = checkpoint_path
