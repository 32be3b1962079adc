"""Read the TSDAE sentences (chunk texts) from a text file or JSONL.

* ``.jsonl`` / ``.ndjson``: each line is a JSON string, or an object whose ``text_field`` holds the text.
* anything else: plain text, one sentence per line.

Blank lines and blank texts are skipped and counted (logged, never silently); malformed JSON or a missing
field is a :class:`DataError` naming the file and the line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from genq_trainer.errors import DataError

logger = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class TextCorpus:
    texts: list[str]
    skipped_blank: int


def _jsonl_text(value: object, text_field: str, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if text_field not in value:
            raise DataError(f"{where}: object has no {text_field!r} key (keys: {', '.join(map(str, value))})")
        text = value[text_field]
        if not isinstance(text, str):
            raise DataError(f"{where}: {text_field!r} must be a string, got {type(text).__name__}")
        return text
    raise DataError(f"{where}: expected a JSON string or object, got {type(value).__name__}")


def read_texts(path: str | Path, *, text_field: str = "text") -> TextCorpus:
    """All non-blank texts of ``path``, in file order."""
    source = Path(path)
    is_jsonl = source.suffix.lower() in JSONL_SUFFIXES
    texts: list[str] = []
    skipped = 0
    try:
        with open(source, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    skipped += 1
                    continue
                if is_jsonl:
                    where = f"{source}:{number}"
                    try:
                        value = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise DataError(f"{where}: invalid JSON ({error.msg})") from error
                    text = _jsonl_text(value, text_field, where)
                else:
                    text = line.rstrip("\r\n")
                text = text.strip()
                if not text:
                    skipped += 1
                    continue
                texts.append(text)
    except UnicodeDecodeError as error:
        raise DataError(f"{source} is not UTF-8 text ({error.reason} at byte {error.start})") from error
    if skipped:
        logger.warning("%s: skipped %d blank lines or texts", source, skipped)
    logger.info("%s: %d texts", source, len(texts))
    return TextCorpus(texts=texts, skipped_blank=skipped)
