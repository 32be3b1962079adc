"""Tokenise a batch: padded to the batch's longest text (not to max_seq_length), moved to the device."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor
from transformers import PreTrainedTokenizerBase


def tokenize(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_seq_length: int, device: torch.device
) -> dict[str, Tensor]:
    """Input ids, attention mask (and token type ids when the tokenizer makes them), each (batch, length)."""
    encoded = tokenizer(
        list(texts),
        padding=True,
        truncation=True,
        max_length=max_seq_length,
        return_tensors="pt",
    )
    if device.type != "cuda":
        return dict(encoded)
    # Pinned host memory makes the copy truly asynchronous: the host goes on preparing the next batch
    # instead of waiting for the GPU to drain its queue.
    return {key: value.pin_memory().to(device, non_blocking=True) for key, value in encoded.items()}


def embed_in_batches(
    texts: Sequence[str],
    embed_batch: Callable[[Sequence[str]], Tensor],
    batch_size: int,
) -> Tensor:
    """Embed ``texts`` in batches of similar length (less padding), returned in the input order: (n, hidden)."""
    order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    pieces = [embed_batch([texts[index] for index in order[start : start + batch_size]]) for start in range(0, len(order), batch_size)]
    stacked = torch.cat(pieces)  # (n, hidden), in length order
    restored = torch.empty_like(stacked)
    restored[torch.tensor(order, device=stacked.device)] = stacked
    return restored
