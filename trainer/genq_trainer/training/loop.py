"""The step-level training loop shared by TSDAE and MNRL.

The stage supplies the batches of each epoch (a pure function of the seed) and a ``run_step`` that does
one batch's forward and backward; the loop owns the optimizer step, the schedule, progress and eval lines,
periodic checkpoints, resume and pre-emption (SIGTERM: finish the step, checkpoint, exit 75).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from torch import Tensor

from genq_trainer.errors import DataError, Preempted, TrainingDiverged
from genq_trainer.protocol import Reporter
from genq_trainer.training.checkpoint import (
    TrainingObjects,
    TrainState,
    check_compatible,
    load_objects,
    prune_checkpoints,
    read_checkpoint,
    save_checkpoint,
)
from genq_trainer.training.optim import trainable_parameters
from genq_trainer.training.precision import Precision
from genq_trainer.training.preemption import PreemptionFlag
from genq_trainer.training.rng import restore_rng_state

logger = logging.getLogger(__name__)

BatchesForEpoch = Callable[[int], list[list[int]]]
RunStep = Callable[[list[int], TrainState], tuple[Tensor, int]]
"""Forward and backward of one batch: returns (detached loss, number of samples)."""
Evaluate = Callable[[], dict[str, float]]


def count_total_steps(batches_for_epoch: BatchesForEpoch, epochs: int, max_steps: int | None) -> int:
    """Optimizer steps of the run: ``max_steps`` when set, else the batches of all epochs."""
    first = len(batches_for_epoch(0))
    if first == 0:
        raise DataError("the training data does not fill a single batch", advice="add data or lower batch_size")
    if max_steps is not None:
        return max_steps
    return sum(len(batches_for_epoch(epoch)) for epoch in range(epochs))


@dataclass
class LoopResult:
    steps: int
    final_loss: float | None
    elapsed_s: float
    samples_per_s: float
    eval_metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class LoopConfig:
    stage: str
    total_steps: int
    max_grad_norm: float
    progress_every: int
    checkpoint_every: int
    checkpoint_dir: str
    keep_checkpoints: int
    seed: int
    settings: dict[str, Any]
    schedule_keys: tuple[str, ...]
    data: dict[str, Any]
    eval_every: int = 0


class TrainingLoop:
    def __init__(
        self,
        config: LoopConfig,
        objects: TrainingObjects,
        precision: Precision,
        batches_for_epoch: BatchesForEpoch,
        run_step: RunStep,
        reporter: Reporter,
        preemption: PreemptionFlag,
        evaluate: Evaluate | None = None,
    ) -> None:
        self.config = config
        self.objects = objects
        self.precision = precision
        self.batches_for_epoch = lru_cache(maxsize=2)(batches_for_epoch)
        self.run_step = run_step
        self.reporter = reporter
        self.preemption = preemption
        self.evaluate = evaluate
        self.state = TrainState()
        self._parameters = trainable_parameters(objects.model)

    def resume(self, checkpoint_path: str) -> None:
        """Restore everything from a checkpoint; the RNG states last, after all construction."""
        loaded = read_checkpoint(checkpoint_path, stage=self.config.stage)
        check_compatible(
            loaded, settings=self.config.settings, schedule_keys=self.config.schedule_keys, data=self.config.data
        )
        rng_state = load_objects(loaded, self.objects, self.precision.device)
        self.state = loaded.state
        restore_rng_state(rng_state)
        logger.info(
            "resumed from %s at step %d (epoch %d, batch %d)",
            loaded.path,
            self.state.step,
            self.state.epoch,
            self.state.batch_in_epoch,
        )

    def _next_batch(self) -> list[int]:
        while True:
            batches = self.batches_for_epoch(self.state.epoch)
            if not batches:
                raise DataError(f"epoch {self.state.epoch} has no full batch", advice="add data or lower batch_size")
            if self.state.batch_in_epoch < len(batches):
                return batches[self.state.batch_in_epoch]
            self.state.epoch += 1
            self.state.batch_in_epoch = 0

    def _epoch_progress(self) -> float:
        batches = self.batches_for_epoch(self.state.epoch)
        return self.state.epoch + self.state.batch_in_epoch / max(1, len(batches))

    def _checkpoint(self) -> str:
        path = save_checkpoint(
            self.config.checkpoint_dir,
            stage=self.config.stage,
            state=self.state,
            objects=self.objects,
            seed=self.config.seed,
            data=self.config.data,
            settings=self.config.settings,
        )
        prune_checkpoints(self.config.checkpoint_dir, self.config.keep_checkpoints)
        self.reporter.checkpoint(step=self.state.step, path=str(path))
        return str(path)

    def _run_eval(self) -> dict[str, float]:
        if self.evaluate is None:
            return {}
        self.objects.model.eval()
        try:
            metrics = self.evaluate()
        finally:
            self.objects.model.train()
        self.reporter.eval(step=self.state.step, metrics=metrics)
        logger.info("eval at step %d: %s", self.state.step, metrics)
        return metrics

    def run(self) -> LoopResult:
        config = self.config
        model, optimizer, scheduler = self.objects.model, self.objects.optimizer, self.objects.scheduler
        model.train()
        started = time.perf_counter()
        window_start = started
        window_loss: Tensor | None = None
        window_steps = 0
        window_samples = 0
        total_samples = 0
        last_loss: float | None = None
        eval_metrics: dict[str, float] = {}
        last_eval_step = -1
        first_step = self.state.step
        logger.info("training %s: steps %d..%d", config.stage, first_step + 1, config.total_steps)

        while self.state.step < config.total_steps:
            batch = self._next_batch()
            lr = scheduler.get_last_lr()[0]
            optimizer.zero_grad(set_to_none=True)
            loss, samples = self.run_step(batch, self.state)
            self.precision.step(optimizer, self._parameters, config.max_grad_norm)
            scheduler.step()
            self.state.step += 1
            self.state.batch_in_epoch += 1
            window_loss = loss if window_loss is None else window_loss + loss
            window_steps += 1
            window_samples += samples
            total_samples += samples
            step = self.state.step
            last_step = step == config.total_steps

            if step % config.progress_every == 0 or last_step or self.preemption.requested:
                mean_loss = float(window_loss.item()) / window_steps  # the only host sync per window
                if not math.isfinite(mean_loss):
                    raise TrainingDiverged(f"loss is {mean_loss} at step {step}")
                now = time.perf_counter()
                self.reporter.progress(
                    step=step,
                    total_steps=config.total_steps,
                    epoch=self._epoch_progress(),
                    loss=mean_loss,
                    lr=lr,
                    samples_per_s=window_samples / max(now - window_start, 1e-9),
                    elapsed_s=now - started,
                )
                last_loss = mean_loss
                window_start, window_loss, window_steps, window_samples = now, None, 0, 0

            if self.evaluate is not None and config.eval_every > 0 and step % config.eval_every == 0:
                eval_metrics = self._run_eval()
                last_eval_step = step

            if not last_step and self.preemption.requested:
                path = self._checkpoint()
                raise Preempted(step, path)
            if not last_step and config.checkpoint_every > 0 and step % config.checkpoint_every == 0:
                self._checkpoint()

        if self.evaluate is not None and last_eval_step != self.state.step:
            eval_metrics = self._run_eval()
        elapsed = time.perf_counter() - started
        return LoopResult(
            steps=self.state.step,
            final_loss=last_loss,
            elapsed_s=elapsed,
            samples_per_s=total_samples / max(elapsed, 1e-9),
            eval_metrics=eval_metrics,
        )

