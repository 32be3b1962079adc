"""Read what a sentence-transformers folder says about itself: transformer sub-folder, max length, modules."""

from __future__ import annotations

import json
from pathlib import Path


def transformer_dir(model_path: str | Path) -> Path:
    """The folder of the transformer module (the root for folders saved by sentence-transformers >= 2)."""
    root = Path(model_path).expanduser()
    modules_file = root / "modules.json"
    if modules_file.is_file():
        for module in json.loads(modules_file.read_text(encoding="utf-8")):
            if module.get("type", "").endswith("Transformer"):
                return root / module.get("path", "")
    return root


def folder_max_seq_length(model_path: str | Path) -> int | None:
    """``max_seq_length`` from the transformer's ``sentence_bert_config.json``, if any."""
    config = transformer_dir(model_path) / "sentence_bert_config.json"
    if not config.is_file():
        return None
    value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
    return int(value) if isinstance(value, int) else None


SUPPORTED_MODULES = ("Transformer", "Pooling", "Normalize")


def unsupported_modules(model_path: str | Path) -> list[str]:
    """Modules of a sentence-transformers folder that the package cannot express (e.g. Dense layers)."""
    modules_file = Path(model_path).expanduser() / "modules.json"
    if not modules_file.is_file():
        return []
    return [
        module.get("type", "?")
        for module in json.loads(modules_file.read_text(encoding="utf-8"))
        if not module.get("type", "").endswith(SUPPORTED_MODULES)
    ]
