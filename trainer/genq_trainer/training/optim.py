"""AdamW with sentence-transformers' parameter groups, and the learning-rate schedule."""

from __future__ import annotations

import torch
from torch import nn

NO_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias", "layer_norm.weight", "layer_norm.bias")


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Each trainable parameter once (tied parameters appear once)."""
    return [parameter for parameter in model.parameters() if parameter.requires_grad]


def build_optimizer(model: nn.Module, learning_rate: float, weight_decay: float, device: torch.device) -> torch.optim.AdamW:
    """AdamW without weight decay on biases and LayerNorm weights (as sentence-transformers' fit)."""
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    seen: set[int] = set()
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad or id(parameter) in seen:
            continue
        seen.add(id(parameter))
        (no_decay if name.endswith(NO_DECAY) else decay).append(parameter)
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    # The fused kernel exists for CUDA and CPU; on CPU it is several times faster than the foreach path.
    return torch.optim.AdamW(groups, lr=learning_rate, fused=device.type in ("cuda", "cpu"))


class WarmupSchedule:
    """Learning-rate multiplier: linear warm-up from 0, then constant or linear decay to 0 at the end.

    A plain object with state in ``__dict__``, so ``LambdaLR.state_dict()`` saves it.
    """

    def __init__(self, total_steps: int, warmup_steps: int, decay: bool) -> None:
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.decay = decay

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return float(step) / float(max(1, self.warmup_steps))
        if not self.decay:
            return 1.0
        return max(0.0, float(self.total_steps - step) / float(max(1, self.total_steps - self.warmup_steps)))


def build_scheduler(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float, decay: bool
) -> torch.optim.lr_scheduler.LambdaLR:
    warmup_steps = int(round(total_steps * warmup_ratio))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupSchedule(total_steps, warmup_steps, decay))
