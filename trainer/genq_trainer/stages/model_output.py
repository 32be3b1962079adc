"""Write a trained encoder as a sentence-transformers folder (atomically) with ``genq-training.json``.

``genq-training.json`` records the stage, the base model and the root base model (followed through
earlier GenQ outputs, so the TSDAE base is named after MNRL too), the pooling, the data and the metrics.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from sentence_transformers import SentenceTransformer

from genq_trainer.atomic_dir import atomic_dir

logger = logging.getLogger(__name__)

TRAINING_RECORD = "genq-training.json"


def root_base_model(base_model: str) -> str:
    """The first base model of a chain of GenQ outputs (itself when it is not a GenQ output)."""
    record = Path(base_model).expanduser() / TRAINING_RECORD
    if record.is_file():
        try:
            return str(json.loads(record.read_text(encoding="utf-8")).get("root_base_model") or base_model)
        except (OSError, json.JSONDecodeError):
            logger.warning("cannot read %s; recording %s as the root base model", record, base_model)
    return base_model


def write_model_output(
    encoder: SentenceTransformer,
    output_dir: str,
    *,
    overwrite: bool,
    record: dict[str, Any],
) -> str:
    """Save ``encoder`` (transformer + pooling) and the training record; return the absolute folder."""
    started = time.perf_counter()
    with atomic_dir(output_dir, replace=overwrite) as folder:
        encoder.save(str(folder), create_model_card=False)
        full_record = {"format_version": 1, "created_unix": int(time.time()), **record}
        (folder / TRAINING_RECORD).write_text(json.dumps(full_record, indent=2, sort_keys=True), encoding="utf-8")
    final = os.path.abspath(os.path.expanduser(output_dir))
    logger.info("model written to %s in %.1fs", final, time.perf_counter() - started)
    return final
