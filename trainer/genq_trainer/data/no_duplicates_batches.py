"""Batches for in-batch negatives that never hold the same text twice.

With Multiple Negatives Ranking Loss every other pair's chunk in a batch is a negative for a query. When
a text appears twice in a batch (two queries generated for the same chunk, or the same query for two
chunks) the loss pushes a query away from its own positive: a false negative. This sampler walks the
epoch's shuffled order and fills each batch with the next items whose query and chunk texts are not yet
in the batch (one set holds both columns, like sentence-transformers' ``NoDuplicatesBatchSampler``);
skipped items keep their place for the following batches. Only full batches are yielded (the remainder
that cannot fill a batch is dropped for this epoch and reshuffled into the next).

The order is a pure function of (texts, batch size, seed, epoch), so a resumed run rebuilds it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from genq_trainer.data.shuffled_batches import epoch_permutation


def no_duplicates_batches(
    texts: Sequence[tuple[str, str]], batch_size: int, seed: int, epoch: int
) -> list[list[int]]:
    """Indices of the full batches of ``epoch``; ``texts[i]`` is pair i's (query, chunk)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
    remaining = epoch_permutation(len(texts), seed, epoch).tolist()
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
    return batches
