"""What a stage hands back to the CLI for its ``done`` line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StageResult:
    output: str
    metrics: dict[str, Any] = field(default_factory=dict)
