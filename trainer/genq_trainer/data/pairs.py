"""Read (query, chunk) training pairs from ``pairs.jsonl``.

One JSON object per line: ``{"query": str, "chunk": str, "chunk_id": str|int, "listing_id": str|int}``.
Malformed lines are a :class:`DataError` naming the file and line. Pairs whose query or chunk is blank
(the generated data holds empty queries) are quarantined: skipped, counted and logged with their line
numbers, never dropped silently.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from genq_trainer.errors import DataError

logger = logging.getLogger(__name__)

REQUIRED_KEYS = ("query", "chunk", "chunk_id", "listing_id")


@dataclass(frozen=True)
class Pair:
    query: str
    chunk: str
    chunk_id: str
    listing_id: str


@dataclass(frozen=True)
class PairSet:
    pairs: list[Pair]
    quarantined_lines: list[int]


def _identifier(value: object, key: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataError(f"{where}: {key!r} must be a string or an integer, got {json.dumps(value)}")
    return str(value)


def read_pairs(path: str | Path) -> PairSet:
    source = Path(path)
    pairs: list[Pair] = []
    quarantined: list[int] = []
    try:
        with open(source, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{source}:{number}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DataError(f"{where}: invalid JSON ({error.msg})") from error
                if not isinstance(record, dict):
                    raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
                missing = [key for key in REQUIRED_KEYS if key not in record]
                if missing:
                    raise DataError(f"{where}: missing key(s) {', '.join(missing)}")
                query, chunk = record["query"], record["chunk"]
                if not isinstance(query, str) or not isinstance(chunk, str):
                    raise DataError(f"{where}: 'query' and 'chunk' must be strings")
                query, chunk = query.strip(), chunk.strip()
                if not query or not chunk:
                    quarantined.append(number)
                    continue
                pairs.append(
                    Pair(
                        query=query,
                        chunk=chunk,
                        chunk_id=_identifier(record["chunk_id"], "chunk_id", where),
                        listing_id=_identifier(record["listing_id"], "listing_id", where),
                    )
                )
    except UnicodeDecodeError as error:
        raise DataError(f"{source} is not UTF-8 text ({error.reason} at byte {error.start})") from error
    if quarantined:
        shown = ", ".join(map(str, quarantined[:10])) + (" ..." if len(quarantined) > 10 else "")
        logger.warning("%s: quarantined %d pairs with a blank query or chunk (lines %s)", source, len(quarantined), shown)
    logger.info("%s: %d pairs", source, len(pairs))
    return PairSet(pairs=pairs, quarantined_lines=quarantined)
