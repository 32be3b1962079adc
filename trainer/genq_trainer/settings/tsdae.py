"""Settings of the TSDAE stage (denoising auto-encoder pre-training with a tied decoder)."""

from __future__ import annotations

from dataclasses import dataclass

from genq_trainer.settings import checks
from genq_trainer.settings.loader import setting
from genq_trainer.settings.training import SCHEDULE_KEYS, Pooling, TrainingSettings


@dataclass(frozen=True, kw_only=True)
class TsdaeSettings(TrainingSettings):
    """TSDAE: the method's reference settings are the defaults (bert-base-uncased, CLS pooling, batch 8,
    constant lr 3e-5, weight decay 0, 60% word deletion, 1 epoch)."""

    pooling: Pooling = setting("cls", doc="how token vectors become one sentence vector: cls or mean")
    train_file: str = setting(
        doc="sentences: a text file (one per line) or JSONL (.jsonl/.ndjson: a string or an object per line)"
    )
    text_field: str = setting("text", doc="JSONL objects: the key that holds the text")
    deletion_ratio: float = setting(0.6, doc="share of the words deleted from each input sentence (at least one kept)")

    def __post_init__(self) -> None:
        super().__post_init__()
        checks.require_range("deletion_ratio", self.deletion_ratio, 0.0, 1.0)
        checks.require_non_empty("text_field", self.text_field)


TSDAE_SCHEDULE_KEYS: tuple[str, ...] = (*SCHEDULE_KEYS, "deletion_ratio", "text_field")
