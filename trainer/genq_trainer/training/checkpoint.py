"""Checkpoints: everything a resumed run needs to continue the exact same schedule.

A checkpoint is a folder ``<checkpoint_dir>/step-00000123`` written under a temporary name and renamed
when complete, holding:

* ``model.pt``: the model's state dict (for TSDAE the encoder and its tied decoder);
* ``optimizer.pt``, ``scheduler.pt`` and, under fp16, ``scaler.pt``;
* ``rng.pt``: the python, numpy, torch and CUDA RNG states at the step boundary;
* ``trainer_state.json``: step, data position (epoch, batch index within the epoch, sampler seed), the
  data file's hash, the settings and the sizes of the ``.pt`` files;
* ``manifest.json``, written last: format version, stage, step and each file's size.

A folder without ``manifest.json`` is accepted for resuming when ``trainer_state.json`` and the state files
it lists are present with their recorded sizes: the trainer bridge uploads and restores a checkpoint under
its own commit marker (``checkpoint-manifest.json``) and leaves ``manifest.json`` out.

The batch order of an epoch is a pure function of the seed, so (seed, epoch, batch index) pins the data
position without storing the permutation.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from genq_trainer.atomic_dir import atomic_dir
from genq_trainer.errors import ConfigError
from genq_trainer.training.rng import capture_rng_state

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STATE_FILE = "trainer_state.json"
REQUIRED_FILES = ("model.pt", "optimizer.pt", "scheduler.pt", "rng.pt", STATE_FILE)


@dataclass
class TrainState:
    """Where training stands: optimizer steps done and the next batch to run."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0


@dataclass
class TrainingObjects:
    """The stateful objects a checkpoint saves and restores."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler | None


def checkpoint_name(step: int) -> str:
    return f"step-{step:08d}"


def save_checkpoint(
    checkpoint_dir: str | Path,
    *,
    stage: str,
    state: TrainState,
    objects: TrainingObjects,
    seed: int,
    data: dict[str, Any],
    settings: dict[str, Any],
) -> Path:
    """Write the checkpoint of ``state.step`` atomically and return its final folder."""
    final = Path(checkpoint_dir).expanduser().resolve() / checkpoint_name(state.step)
    started = time.perf_counter()
    with atomic_dir(final, replace=True) as folder:
        torch.save(capture_rng_state(), folder / "rng.pt")
        torch.save(objects.model.state_dict(), folder / "model.pt")
        torch.save(objects.optimizer.state_dict(), folder / "optimizer.pt")
        torch.save(objects.scheduler.state_dict(), folder / "scheduler.pt")
        if objects.scaler is not None:
            torch.save(objects.scaler.state_dict(), folder / "scaler.pt")
        trainer_state = {
            "format_version": FORMAT_VERSION,
            "stage": stage,
            **asdict(state),
            "sampler": {"kind": "seeded-permutation", "seed": seed},
            "data": data,
            "settings": settings,
            # Sizes of the state files, so a folder restored without manifest.json can still be checked.
            "files": {path.name: path.stat().st_size for path in sorted(folder.glob("*.pt"))},
        }
        (folder / STATE_FILE).write_text(json.dumps(trainer_state, indent=2, sort_keys=True), encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "stage": stage,
            "step": state.step,
            "epoch": state.epoch,
            "batch_in_epoch": state.batch_in_epoch,
            "files": {path.name: path.stat().st_size for path in sorted(folder.iterdir())},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    logger.info("checkpoint step %d saved to %s in %.1fs", state.step, final, time.perf_counter() - started)
    return final


def prune_checkpoints(checkpoint_dir: str | Path, keep: int) -> None:
    """Delete all but the ``keep`` newest complete checkpoints (``keep`` 0 keeps all)."""
    if keep <= 0:
        return
    root = Path(checkpoint_dir).expanduser()
    complete = sorted(path for path in root.glob("step-*") if (path / MANIFEST).is_file())
    for old in complete[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
        logger.info("removed old checkpoint %s", old)


@dataclass
class LoadedCheckpoint:
    path: Path
    state: TrainState
    trainer_state: dict[str, Any]


def read_checkpoint(path: str | Path, *, stage: str) -> LoadedCheckpoint:
    """Check a checkpoint folder is complete and of ``stage``; return its position and recorded state."""
    folder = Path(path).expanduser().resolve()
    manifest_file = folder / MANIFEST
    state_file = folder / STATE_FILE
    if manifest_file.is_file():
        record = json.loads(manifest_file.read_text(encoding="utf-8"))
    elif state_file.is_file():
        logger.info("%s has no %s (restored by the bridge): checking %s instead", folder, MANIFEST, STATE_FILE)
        record = json.loads(state_file.read_text(encoding="utf-8"))
    else:
        raise ConfigError(
            f"setting 'resume_from': {folder} has neither {MANIFEST} nor {STATE_FILE}, so it is not a checkpoint",
            advice="resume from a checkpoint folder announced on a 'checkpoint' line",
        )
    if record.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"setting 'resume_from': {folder} has checkpoint format {record.get('format_version')!r}, "
            f"expected {FORMAT_VERSION}"
        )
    if record.get("stage") != stage:
        raise ConfigError(f"setting 'resume_from': {folder} is a {record.get('stage')!r} checkpoint, not {stage!r}")
    for name in REQUIRED_FILES:
        if name not in record.get("files", {}) and name != STATE_FILE:
            raise ConfigError(f"setting 'resume_from': {folder} does not list {name}")
    for name, size in record.get("files", {}).items():
        file = folder / name
        if not file.is_file() or file.stat().st_size != size:
            raise ConfigError(f"setting 'resume_from': {file} is missing or truncated")
    if not state_file.is_file():
        raise ConfigError(f"setting 'resume_from': {state_file} is missing")
    trainer_state = json.loads(state_file.read_text(encoding="utf-8"))
    state = TrainState(
        step=int(trainer_state["step"]),
        epoch=int(trainer_state["epoch"]),
        batch_in_epoch=int(trainer_state["batch_in_epoch"]),
    )
    return LoadedCheckpoint(path=folder, state=state, trainer_state=trainer_state)


def check_compatible(
    loaded: LoadedCheckpoint, *, settings: dict[str, Any], schedule_keys: tuple[str, ...], data: dict[str, Any]
) -> None:
    """A resumed run must share the schedule settings and the data of the run that wrote the checkpoint."""
    recorded = loaded.trainer_state["settings"]
    for key in schedule_keys:
        if recorded.get(key) != settings.get(key):
            raise ConfigError(
                f"setting {key!r} is {settings.get(key)!r} but the checkpoint {loaded.path} was written with "
                f"{recorded.get(key)!r}",
                advice=f"resume with {key!r} as it was, or start a new run without resume_from",
            )
    if loaded.trainer_state["data"].get("sha256") != data.get("sha256"):
        raise ConfigError(
            f"the training data {data.get('file')} differs from the data of checkpoint {loaded.path}",
            advice="resume with the same train_file content, or start a new run without resume_from",
        )


def load_objects(loaded: LoadedCheckpoint, objects: TrainingObjects, device: torch.device) -> dict[str, Any]:
    """Load model, optimizer, scheduler and scaler states; return the RNG states (restored last by the caller)."""
    folder = loaded.path
    objects.model.load_state_dict(torch.load(folder / "model.pt", map_location=device, weights_only=True))
    objects.optimizer.load_state_dict(torch.load(folder / "optimizer.pt", map_location=device, weights_only=True))
    objects.scheduler.load_state_dict(torch.load(folder / "scheduler.pt", weights_only=True))
    scaler_file = folder / "scaler.pt"
    if objects.scaler is not None and scaler_file.is_file():
        objects.scaler.load_state_dict(torch.load(scaler_file, weights_only=True))
    return torch.load(folder / "rng.pt", weights_only=True)
