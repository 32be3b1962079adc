"""One typed, validated settings dataclass per stage, loaded from plain JSON."""

from __future__ import annotations

from genq_trainer.settings.export import ExportSettings
from genq_trainer.settings.loader import describe, load_settings, log_settings, read_config_file
from genq_trainer.settings.mnrl import MnrlSettings
from genq_trainer.settings.tsdae import TsdaeSettings

STAGE_SETTINGS: dict[str, type] = {
    "tsdae": TsdaeSettings,
    "mnrl": MnrlSettings,
    "export": ExportSettings,
}

__all__ = [
    "STAGE_SETTINGS",
    "ExportSettings",
    "MnrlSettings",
    "TsdaeSettings",
    "describe",
    "load_settings",
    "log_settings",
    "read_config_file",
]
