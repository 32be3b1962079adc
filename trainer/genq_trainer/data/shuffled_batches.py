"""Deterministic shuffled batches: the order of an epoch is a pure function of (seed, epoch).

A resumed run recomputes the same order from the seed and skips the batches already done, so the
checkpoint needs only (seed, epoch, batch index).
"""

from __future__ import annotations

import numpy as np


def epoch_permutation(n_items: int, seed: int, epoch: int) -> np.ndarray:
    """The shuffled item order of one epoch."""
    return np.random.default_rng([seed, epoch]).permutation(n_items)  # (n_items,)


def shuffled_batches(n_items: int, batch_size: int, seed: int, epoch: int, *, drop_last: bool = False) -> list[list[int]]:
    """Item indices of each batch of ``epoch``; the last batch is shorter unless ``drop_last``."""
    order = epoch_permutation(n_items, seed, epoch).tolist()
    batches = [order[start : start + batch_size] for start in range(0, n_items, batch_size)]
    if drop_last and batches and len(batches[-1]) < batch_size:
        batches.pop()
    return batches
