"""Device and numeric precision: bf16 autocast on CUDA when supported, fp16 (with loss scaling)
otherwise, fp32 on CPU."""

from __future__ import annotations

import contextlib
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor

from genq_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

Dtype = Literal["fp32", "bf16", "fp16"]
_TORCH_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_device(choice: str) -> torch.device:
    """``auto`` picks CUDA when available; asking for CUDA without one is a :class:`ConfigError`."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ConfigError("setting 'device' is 'cuda' but no CUDA device is available", advice="set device: auto or cpu")
    return torch.device(choice)


def resolve_dtype(choice: str, device: torch.device) -> Dtype:
    if device.type != "cuda":
        if choice in ("bf16", "fp16"):
            logger.warning("precision %s asked for on %s: training in fp32", choice, device)
        return "fp32"
    if choice == "auto":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if choice == "bf16" and not torch.cuda.is_bf16_supported():
        raise ConfigError("setting 'precision' is 'bf16' but this GPU does not support it", advice="set precision: auto or fp16")
    return choice  # type: ignore[return-value]


@dataclass
class Precision:
    """Autocast context, gradient scaling (fp16 only) and the optimizer step that goes with them."""

    device: torch.device
    dtype: Dtype
    scaler: torch.amp.GradScaler | None

    @classmethod
    def create(cls, device_choice: str, precision_choice: str, cpu_threads: int | None = None) -> Precision:
        if cpu_threads is not None:
            torch.set_num_threads(cpu_threads)
        device = resolve_device(device_choice)
        dtype = resolve_dtype(precision_choice, device)
        scaler = torch.amp.GradScaler("cuda") if dtype == "fp16" else None
        if device.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        logger.info("device %s, precision %s, %d CPU threads", device, dtype, torch.get_num_threads())
        return cls(device=device, dtype=dtype, scaler=scaler)

    def autocast(self) -> AbstractContextManager[Any]:
        if self.dtype == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=_TORCH_DTYPES[self.dtype])

    def backward(self, loss: Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def step(self, optimizer: torch.optim.Optimizer, parameters: list[torch.nn.Parameter], max_grad_norm: float) -> None:
        """Unscale (fp16), clip, step, update the scale."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)
        if max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
        if self.scaler is not None:
            self.scaler.step(optimizer)
            self.scaler.update()
        else:
            optimizer.step()
