"""Build a settings dataclass from plain JSON: unknown keys, missing keys and wrong types are errors.

Each field of a settings dataclass carries its documentation in ``metadata["doc"]`` (see :func:`setting`),
so the same object serves the CLI, the workflow input and :func:`describe` (``python -m genq_trainer
schema <stage>``).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from genq_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

_NO_DEFAULT: Any = dataclasses.MISSING


def setting(default: Any = _NO_DEFAULT, *, doc: str) -> Any:
    """A dataclass field with its documentation; no default means the key is required."""
    return dataclasses.field(default=default, metadata={"doc": doc})


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "|".join(json.dumps(value) for value in typing.get_args(annotation))
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def _matches(annotation: Any, value: Any) -> bool:
    """Whether a JSON value fits a field annotation (str, int, float, bool, Literal, unions with None)."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return any(value == choice and type(value) is type(choice) for choice in typing.get_args(annotation))
    if origin in (Union, types.UnionType):
        return any(_matches(arg, value) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    raise TypeError(f"unsupported settings annotation {annotation!r}")


def load_settings(cls: type[T], data: Any, *, source: str = "config") -> T:
    """Validate ``data`` (a JSON object) against the dataclass ``cls`` and build it.

    Raises :class:`ConfigError` naming the offending key: unknown keys (with a close match if any),
    missing required keys, wrong types; then the dataclass's own ``__post_init__`` checks ranges.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a JSON object of settings, got {type(data).__name__}")
    fields = {field.name: field for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{source}: unknown setting {key!r}{hint}",
                advice=f"remove {key!r}; known settings: {', '.join(sorted(fields))}",
            )
    kwargs: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{source}: missing required setting {name!r} ({field.metadata.get('doc', '')})")
            continue
        value = data[name]
        if not _matches(hints[name], value):
            raise ConfigError(
                f"{source}: setting {name!r} must be {_type_name(hints[name])}, got {json.dumps(value)}"
            )
        if hints[name] is float and isinstance(value, int):
            value = float(value)
        kwargs[name] = value
    return cls(**kwargs)


def read_config_file(path: str) -> Any:
    """Parse a JSON config file; a missing file or bad JSON is a :class:`ConfigError`."""
    config_path = Path(path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"cannot read config file {path}: {error.strerror or error}", advice="pass an existing JSON file to --config"
        ) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"config file {path} is not valid JSON: {error}", advice="fix the JSON syntax at that position") from error


def settings_to_dict(settings: Any) -> dict[str, Any]:
    """The settings as a plain JSON-able dict (for logs, checkpoints and manifests)."""
    return dataclasses.asdict(settings)


def describe(cls: type[Any]) -> dict[str, dict[str, Any]]:
    """Key, type, default, required flag and documentation of every setting of ``cls``."""
    hints = typing.get_type_hints(cls)
    described: dict[str, dict[str, Any]] = {}
    for field in dataclasses.fields(cls):
        required = field.default is dataclasses.MISSING
        entry: dict[str, Any] = {"type": _type_name(hints[field.name]), "required": required}
        if not required:
            entry["default"] = field.default
        entry["doc"] = field.metadata.get("doc", "")
        described[field.name] = entry
    return described


def log_settings(stage: str, settings: Any) -> None:
    """Log the effective settings once at start, as one JSON object."""
    logger.info("%s settings: %s", stage, json.dumps(settings_to_dict(settings), sort_keys=True))
