"""Load the sentence encoder: a transformer plus a pooling layer, as a SentenceTransformer.

The base model is a Hugging Face id (resolved from the local cache; set ``HF_HUB_OFFLINE=1``) or a local
folder: a plain transformers model, or a sentence-transformers folder (the TSDAE output), whose root holds
the transformer. The pooling always comes from the settings, so the stage decides it explicitly.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Literal

from sentence_transformers import SentenceTransformer, models

from genq_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

PoolingMode = Literal["cls", "mean"]


def folder_pooling(path: str | Path) -> PoolingMode | None:
    """The pooling of a sentence-transformers folder (cls or mean), or None when it has none we know."""
    modules_file = Path(path) / "modules.json"
    if not modules_file.is_file():
        return None
    for module in json.loads(modules_file.read_text(encoding="utf-8")):
        if module.get("type", "").endswith("Pooling"):
            config_file = Path(path) / module.get("path", "") / "config.json"
            if not config_file.is_file():
                return None
            config = json.loads(config_file.read_text(encoding="utf-8"))
            if config.get("pooling_mode_cls_token"):
                return "cls"
            if config.get("pooling_mode_mean_tokens"):
                return "mean"
    return None


def load_transformer(
    reference: str, max_seq_length: int | None, *, setting_name: str = "base_model"
) -> models.Transformer:
    """The transformer module of ``reference``; a model that cannot be loaded is a :class:`ConfigError`.

    ``max_seq_length`` None takes the model's own limit; a limit beyond its position embeddings is refused.
    """
    try:
        transformer = models.Transformer(reference, max_seq_length=max_seq_length)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"setting {setting_name!r}: cannot load model {reference!r}: {error}",
            advice=(
                f"point {setting_name!r} at a local model folder, or download the Hugging Face model "
                "into the local cache first (the trainer runs with HF_HUB_OFFLINE=1)"
            ),
        ) from error
    positions = getattr(transformer.auto_model.config, "max_position_embeddings", None)
    if max_seq_length is not None and isinstance(positions, int) and max_seq_length > positions:
        raise ConfigError(
            f"setting 'max_seq_length' is {max_seq_length} but {reference!r} has only {positions} positions",
            advice=f"set max_seq_length to at most {positions}",
        )
    return transformer


def load_encoder(
    reference: str,
    pooling: PoolingMode,
    max_seq_length: int | None,
    device: str,
    *,
    setting_name: str = "base_model",
) -> SentenceTransformer:
    """A SentenceTransformer of ``reference``'s transformer with ``pooling`` on top, on ``device``."""
    own = folder_pooling(reference)
    if own is not None and own != pooling:
        logger.warning("%s has %s pooling; the settings ask for %s pooling, which is used", reference, own, pooling)
    transformer = load_transformer(reference, max_seq_length, setting_name=setting_name)
    pooler = models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode=pooling)
    encoder = SentenceTransformer(modules=[transformer, pooler], device=device)
    logger.info(
        "encoder %s: %s, %d dimensions, %s pooling, max_seq_length %d, %.1fM parameters",
        reference,
        type(transformer.auto_model).__name__,
        transformer.get_word_embedding_dimension(),
        pooling,
        transformer.max_seq_length,
        sum(parameter.numel() for parameter in encoder.parameters()) / 1e6,
    )
    return encoder
