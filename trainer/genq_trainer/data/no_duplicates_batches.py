"""Batches for in-batch negatives that never hold the same text twice.

With Multiple Negatives Ranking Loss every other pair's chunk in a batch is a negative for a query. When
a text appears twice in a batch (two queries generated for the same chunk, or the same query for two
chunks) the loss pushes a query away from its own positive: a false negative. This sampler walks the
epoch's shuffled order and fills each batch with the next items whose query and chunk texts are not yet
in the batch (one set holds both columns, like sentence-transformers' ``NoDuplicatesBatchSampler``);
skipped items keep their place for the following batches. Only full batches are yielded (the remainder
that cannot fill a batch is dropped for this epoch and reshuffled into the next).

With ``chunk_lengths``, batches group pairs of similar chunk length (as Hugging Face's ``group_by_length``):
each window of ``group_window`` batches of the shuffled order is sorted by chunk length, longest first, so a
batch pads its chunks to a length close to each one's own instead of to the longest of 32 random chunks.
Pairs that share a chunk text (the several queries written for one chunk) are layered, first occurrences
first, so they do not meet in one sorted run and no batch is lost to the duplicate rule. The batches' order
is then shuffled, so training does not see the long ones together.

The order is a pure function of (texts, batch size, seed, epoch), so a resumed run rebuilds it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genq_trainer.data.shuffled_batches import epoch_permutation


def length_grouped_order(
    order: list[int], texts: Sequence[tuple[str, str]], chunk_lengths: Sequence[int], window: int
) -> list[int]:
    """``order`` with each window of ``window`` items sorted by (duplicate layer, chunk length descending)."""
    grouped: list[int] = []
    for start in range(0, len(order), window):
        items = order[start : start + window]
        seen_chunk: dict[str, int] = {}
        layer: dict[int, int] = {}
        for index in items:
            chunk = texts[index][1]
            layer[index] = seen_chunk.get(chunk, 0)
            seen_chunk[chunk] = layer[index] + 1
        grouped.extend(sorted(items, key=lambda index: (layer[index], -chunk_lengths[index])))
    return grouped


def no_duplicates_batches(
    texts: Sequence[tuple[str, str]],
    batch_size: int,
    seed: int,
    epoch: int,
    *,
    chunk_lengths: Sequence[int] | None = None,
    group_window: int = 16,
) -> list[list[int]]:
    """Indices of the full batches of ``epoch``; ``texts[i]`` is pair i's (query, chunk)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
    remaining = epoch_permutation(len(texts), seed, epoch).tolist()
    if chunk_lengths is not None:
        remaining = length_grouped_order(remaining, texts, chunk_lengths, batch_size * group_window)
    batches: list[list[int]] = []
    while len(remaining) >= batch_size:
        batch: list[int] = []
        seen: set[str] = set()
        left_over: list[int] = []
        position = 0
        while position < len(remaining) and len(batch) < batch_size:
            index = remaining[position]
            position += 1
            query, chunk = texts[index]
            if query in seen or chunk in seen:
                left_over.append(index)
                continue
            batch.append(index)
            seen.add(query)
            seen.add(chunk)
        if len(batch) < batch_size:
            break  # the rest cannot fill a batch without a duplicate
        batches.append(batch)
        remaining = left_over + remaining[position:]
    if chunk_lengths is not None:
        # Another stream of the same generator family than the item order: the batch order is shuffled too.
        batches = [batches[i] for i in np.random.default_rng([seed, epoch, 1]).permutation(len(batches))]
    return batches
