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
