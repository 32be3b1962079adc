"""Wiring shared by the training stages: data record, optimizer, schedule, loop, output record."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from torch import nn

from genq_trainer.data.fingerprint import file_sha256
from genq_trainer.protocol import Reporter
from genq_trainer.settings.training import TrainingSettings
from genq_trainer.stages.model_output import root_base_model
from genq_trainer.training.checkpoint import TrainingObjects
from genq_trainer.training.loop import BatchesForEpoch, Evaluate, LoopConfig, LoopResult, RunStep, TrainingLoop, count_total_steps
from genq_trainer.training.optim import build_optimizer, build_scheduler
from genq_trainer.training.precision import Precision
from genq_trainer.training.preemption import PreemptionFlag


def data_record(path: str, count: int, **extra: Any) -> dict[str, Any]:
    """What identifies the training data in checkpoints and records."""
    return {"file": os.path.abspath(path), "sha256": file_sha256(path), "count": count, **extra}


def train(
    *,
    stage: str,
    settings: TrainingSettings,
    schedule_keys: tuple[str, ...],
    model: nn.Module,
    precision: Precision,
    batches_for_epoch: BatchesForEpoch,
    run_step: RunStep,
    data: dict[str, Any],
    reporter: Reporter,
    preemption: PreemptionFlag,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
) -> LoopResult:
    """Build optimizer, schedule and loop for ``model``, resume if asked, and train."""
    total_steps = count_total_steps(batches_for_epoch, settings.epochs, settings.max_steps)
    optimizer = build_optimizer(model, settings.learning_rate, settings.weight_decay, precision.device)
    scheduler = build_scheduler(optimizer, total_steps, settings.warmup_ratio, decay=settings.lr_schedule == "linear")
    loop = TrainingLoop(
        LoopConfig(
            stage=stage,
            total_steps=total_steps,
            max_grad_norm=settings.max_grad_norm,
            progress_every=settings.progress_every,
            checkpoint_every=settings.checkpoint_every,
            checkpoint_dir=settings.resolved_checkpoint_dir(),
            keep_checkpoints=settings.keep_checkpoints,
            seed=settings.seed,
            settings=asdict(settings),
            schedule_keys=schedule_keys,
            data=data,
            eval_every=eval_every,
        ),
        TrainingObjects(model=model, optimizer=optimizer, scheduler=scheduler, scaler=precision.scaler),
        precision,
        batches_for_epoch,
        run_step,
        reporter,
        preemption,
        evaluate,
    )
    if settings.resume_from is not None:
        loop.resume(settings.resume_from)
    return loop.run()


def output_record(
    stage: str, settings: TrainingSettings, data: dict[str, Any], result: LoopResult, precision: Precision
) -> dict[str, Any]:
    """The ``genq-training.json`` content of a training stage."""
    return {
        "stage": stage,
        "base_model": settings.base_model,
        "root_base_model": root_base_model(settings.base_model),
        "pooling": settings.pooling,
        "max_seq_length": settings.max_seq_length,
        "data": data,
        "precision": precision.dtype,
        "device": str(precision.device),
        "metrics": result_metrics(result),
        "settings": asdict(settings),
    }


def result_metrics(result: LoopResult) -> dict[str, Any]:
    return {
        "steps": result.steps,
        "loss": result.final_loss,
        "elapsed_s": round(result.elapsed_s, 3),
        "pairs_or_sentences_per_s": round(result.samples_per_s, 2),
        **result.eval_metrics,
    }
