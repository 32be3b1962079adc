from __future__ import annotations

import json

from genq_trainer.protocol import ListSink, Reporter, encode_event


def test_non_finite_numbers_are_written_as_null_so_lines_stay_strict_json() -> None:
    line = encode_event({"type": "progress", "loss": float("nan"), "lr": float("inf")})
    assert "NaN" not in line and "Infinity" not in line
    assert json.loads(line) == {"type": "progress", "loss": None, "lr": None}


def test_progress_line_has_the_documented_fields() -> None:
    sink = ListSink()
    Reporter(sink).progress(step=3, total_steps=10, epoch=0.3, loss=1.5, lr=2e-5, samples_per_s=12.0, elapsed_s=1.0)
    assert sink.events == [
        {
            "type": "progress",
            "step": 3,
            "total_steps": 10,
            "epoch": 0.3,
            "loss": 1.5,
            "lr": 2e-5,
            "pairs_or_sentences_per_s": 12.0,
            "elapsed_s": 1.0,
        }
    ]
