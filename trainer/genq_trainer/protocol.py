"""The trainer-bridge protocol: exactly one JSON object per line on stdout.

Line shapes (every line also has ``"type"``):

* ``progress``: ``step``, ``total_steps``, ``epoch`` (fractional), ``loss`` (mean since the previous
  progress line), ``lr``, ``pairs_or_sentences_per_s``, ``elapsed_s``
* ``checkpoint``: ``step``, ``path`` (absolute folder, complete once announced)
* ``eval``: ``step``, ``metrics`` (name to number)
* ``done``: ``output`` (absolute folder), ``metrics``
* ``error``: ``kind`` (config|data|oom|crash), ``message``, ``advice``

Numbers that are not finite are written as ``null`` so that every line is strict JSON (``JSON.parse``
rejects ``NaN``).
"""

from __future__ import annotations

import json
import math
import threading
from typing import IO, Any, Protocol

from genq_trainer.errors import ErrorKind


class EventSink(Protocol):
    """Where protocol events go: a stream in production, a list in tests."""

    def emit(self, event: dict[str, Any]) -> None: ...


def _finite(value: Any) -> Any:
    """Replace non-finite floats (recursively) with None so the JSON stays strict."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def encode_event(event: dict[str, Any]) -> str:
    """One protocol line (without the newline): compact, strict JSON."""
    return json.dumps(_finite(event), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class StreamSink:
    """Writes each event as one line and flushes, so the bridge sees it at once."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def emit(self, event: dict[str, Any]) -> None:
        line = encode_event(event)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


class ListSink:
    """Collects events in memory (tests and in-process callers)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def emit(self, event: dict[str, Any]) -> None:
        # Round-trip through the encoder so tests see exactly what the bridge would parse.
        self.events.append(json.loads(encode_event(event)))

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == event_type]


class Reporter:
    """Typed constructors for the five protocol line types."""

    def __init__(self, sink: EventSink) -> None:
        self._sink = sink

    def progress(
        self,
        *,
        step: int,
        total_steps: int,
        epoch: float,
        loss: float,
        lr: float,
        samples_per_s: float,
        elapsed_s: float,
    ) -> None:
        self._sink.emit(
            {
                "type": "progress",
                "step": step,
                "total_steps": total_steps,
                "epoch": round(epoch, 4),
                "loss": loss,
                "lr": lr,
                "pairs_or_sentences_per_s": round(samples_per_s, 2),
                "elapsed_s": round(elapsed_s, 3),
            }
        )

    def checkpoint(self, *, step: int, path: str) -> None:
        self._sink.emit({"type": "checkpoint", "step": step, "path": path})

    def eval(self, *, step: int, metrics: dict[str, float]) -> None:
        self._sink.emit({"type": "eval", "step": step, "metrics": metrics})

    def done(self, *, output: str, metrics: dict[str, Any]) -> None:
        self._sink.emit({"type": "done", "output": output, "metrics": metrics})

    def error(self, *, kind: ErrorKind, message: str, advice: str) -> None:
        self._sink.emit({"type": "error", "kind": kind, "message": message, "advice": advice})
