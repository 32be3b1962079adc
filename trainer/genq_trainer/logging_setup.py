"""Logging to stderr (stdout carries the protocol alone)."""

from __future__ import annotations

import logging
import os
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str | None = None) -> None:
    """Send every log record to stderr; the level comes from ``GENQ_LOG_LEVEL`` (default INFO)."""
    chosen = (level or os.environ.get("GENQ_LOG_LEVEL") or "INFO").upper()
    logging.basicConfig(stream=sys.stderr, level=chosen, format=_FORMAT, force=True)
    # The libraries' own progress bars and chatter stay on stderr and stay quiet.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for noisy in ("transformers", "sentence_transformers", "urllib3", "filelock", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
