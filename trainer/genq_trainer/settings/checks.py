"""Small validators shared by the settings dataclasses; each raises ConfigError showing the bad value."""

from __future__ import annotations

import os
from pathlib import Path

from genq_trainer.errors import ConfigError


def require_positive(name: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"setting {name!r} must be > 0, got {value!r}")


def require_at_least(name: str, value: float, minimum: float) -> None:
    if value < minimum:
        raise ConfigError(f"setting {name!r} must be >= {minimum}, got {value!r}")


def require_non_negative(name: str, value: float) -> None:
    if value < 0:
        raise ConfigError(f"setting {name!r} must be >= 0, got {value!r}")


def require_range(name: str, value: float, low: float, high: float, *, high_inclusive: bool = False) -> None:
    inside = low <= value <= high if high_inclusive else low <= value < high
    if not inside:
        closing = "]" if high_inclusive else ")"
        raise ConfigError(f"setting {name!r} must be in [{low}, {high}{closing}, got {value!r}")


def require_non_empty(name: str, value: str) -> None:
    if not value.strip():
        raise ConfigError(f"setting {name!r} must not be empty, got {value!r}")


def require_file(name: str, value: str) -> None:
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"setting {name!r}: file not found: {path.resolve()}",
            advice=f"point {name!r} at an existing file",
        )


def require_dir(name: str, value: str) -> None:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ConfigError(
            f"setting {name!r}: folder not found: {path.resolve()}",
            advice=f"point {name!r} at an existing folder",
        )


def looks_like_local_path(reference: str) -> bool:
    """Whether a model reference is meant as a local folder rather than a Hugging Face hub id.

    Hub ids look like ``name`` or ``org/name``; anything absolute, relative-dotted, home-relative or
    existing on disk is a path.
    """
    return (
        os.path.isabs(reference)
        or reference.startswith(("./", "../", "~", ".\\", "..\\"))
        or reference in (".", "..")
        or reference.count("/") > 1
        or Path(reference).exists()
    )


def require_model_reference(name: str, value: str) -> None:
    """A local model folder must exist; a hub id is checked when it is loaded (offline cache)."""
    require_non_empty(name, value)
    if looks_like_local_path(value):
        path = Path(value).expanduser()
        if not path.is_dir():
            raise ConfigError(
                f"setting {name!r}: model folder not found: {path.resolve()}",
                advice=f"point {name!r} at a model folder (config.json and weights) or a Hugging Face model id",
            )
        if not (path / "config.json").is_file():
            raise ConfigError(
                f"setting {name!r}: {path.resolve()} has no config.json, so it is not a transformers or "
                "sentence-transformers model folder",
            )


def require_output_free(name: str, value: str, overwrite: bool) -> None:
    path = Path(value).expanduser()
    if path.exists() and not overwrite:
        raise ConfigError(
            f"setting {name!r}: {path.resolve()} already exists",
            advice="choose a new output_dir, or set overwrite: true to replace it",
        )
