"""``genq-model.json``: what the ONNX graph does not hold (pooling, normalisation, lengths), format 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PACKAGE_DESCRIPTION = "genq-model.json"
FORMAT_VERSION = 1


def write_package_description(folder: Path, description: dict[str, Any]) -> Path:
    path = folder / PACKAGE_DESCRIPTION
    path.write_text(json.dumps({"format_version": FORMAT_VERSION, **description}, indent=2, sort_keys=True), encoding="utf-8")
    return path
