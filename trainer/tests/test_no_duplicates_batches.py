from __future__ import annotations

from genq_trainer.data.no_duplicates_batches import no_duplicates_batches


def _texts() -> list[tuple[str, str]]:
    # Five queries per chunk (as generated), and some queries shared between chunks.
    texts = []
    for chunk in range(30):
        for query in range(5):
            texts.append((f"query {chunk}-{query}" if query else f"shared query {chunk % 7}", f"chunk {chunk}"))
    return texts


def test_batches_never_repeat_a_query_or_a_chunk_text() -> None:
    texts = _texts()
    batches = no_duplicates_batches(texts, batch_size=8, seed=3, epoch=0)
    assert batches
    for batch in batches:
        assert len(batch) == 8
        queries = [texts[index][0] for index in batch]
        chunks = [texts[index][1] for index in batch]
        assert len(set(queries)) == len(queries)
        assert len(set(chunks)) == len(chunks)
        assert not set(queries) & set(chunks)


def test_batches_use_each_pair_at_most_once_and_most_pairs() -> None:
    texts = _texts()
    batches = no_duplicates_batches(texts, batch_size=8, seed=3, epoch=0)
    used = [index for batch in batches for index in batch]
    assert len(used) == len(set(used))
    assert len(used) >= len(texts) - 3 * 8


def test_batch_order_is_a_pure_function_of_seed_and_epoch() -> None:
    texts = _texts()
    assert no_duplicates_batches(texts, 8, 3, 1) == no_duplicates_batches(texts, 8, 3, 1)
    assert no_duplicates_batches(texts, 8, 3, 1) != no_duplicates_batches(texts, 8, 3, 2)


def _skewed_texts() -> tuple[list[tuple[str, str]], list[int]]:
    # Listings' chunks: most short, a few cut at the maximum length; five queries per chunk.
    texts: list[tuple[str, str]] = []
    for chunk in range(120):
        body = "piso luminoso " * (60 if chunk % 6 == 0 else 3 + chunk % 9)
        for query in range(5):
            texts.append((f"query {chunk}-{query}", f"chunk {chunk}: {body}"))
    return texts, [len(chunk) for _, chunk in texts]


def _padded_chunk_chars(texts: list[tuple[str, str]], batches: list[list[int]]) -> int:
    return sum(len(batch) * max(len(texts[index][1]) for index in batch) for batch in batches)


def test_length_grouping_pads_less_and_keeps_every_rule() -> None:
    texts, lengths = _skewed_texts()
    plain = no_duplicates_batches(texts, 16, seed=5, epoch=0)
    grouped = no_duplicates_batches(texts, 16, seed=5, epoch=0, chunk_lengths=lengths)
    # The same number of full batches: duplicate chunks are layered, not lost to the duplicate rule.
    assert len(grouped) >= len(plain)
    used = [index for batch in grouped for index in batch]
    assert len(used) == len(set(used))
    for batch in grouped:
        assert len(batch) == 16
        assert len({texts[index][1] for index in batch}) == 16
        assert len({texts[index][0] for index in batch}) == 16
    per_batch = lambda batches: _padded_chunk_chars(texts, batches) / len(batches)  # noqa: E731
    assert per_batch(grouped) < 0.7 * per_batch(plain), (per_batch(grouped), per_batch(plain))


def test_length_grouped_batches_come_in_shuffled_order_and_are_reproducible() -> None:
    texts, lengths = _skewed_texts()
    grouped = no_duplicates_batches(texts, 16, seed=5, epoch=0, chunk_lengths=lengths)
    assert grouped == no_duplicates_batches(texts, 16, seed=5, epoch=0, chunk_lengths=lengths)
    assert grouped != no_duplicates_batches(texts, 16, seed=5, epoch=1, chunk_lengths=lengths)
    longest = [max(lengths[index] for index in batch) for batch in grouped]
    assert longest != sorted(longest, reverse=True) and longest != sorted(longest), "not long batches first"
