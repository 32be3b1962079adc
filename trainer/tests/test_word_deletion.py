from __future__ import annotations

import numpy as np

from genq_trainer.data.word_deletion import delete_words, keep_mask, split_words


def test_deletion_removes_about_sixty_percent_of_the_words() -> None:
    rng = np.random.default_rng(0)
    sentence = " ".join(f"palabra{index}" for index in range(50))
    kept = sum(len(split_words(delete_words(sentence, 0.6, rng))) for _ in range(200))
    deleted_share = 1 - kept / (50 * 200)
    assert 0.57 < deleted_share < 0.63


def test_deletion_keeps_at_least_one_word() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        assert delete_words("Marbella", 0.6, rng) == "Marbella"
        assert len(split_words(delete_words("piso en venta", 0.999, rng))) == 1
    assert keep_mask(5, 1.0, rng).sum() == 1


def test_spanish_accented_words_and_enye_stay_whole() -> None:
    text = "Señorial ático en Málaga: baño, jardín y dúplex ¿pequeño?"
    words = split_words(text)
    for word in ("Señorial", "ático", "Málaga", "baño", "jardín", "dúplex", "pequeño"):
        assert word in words
    rng = np.random.default_rng(2)
    vocabulary = set(words)
    for _ in range(50):
        assert set(split_words(delete_words(text, 0.6, rng))) <= vocabulary


def test_decomposed_accents_are_normalised_into_their_words() -> None:
    decomposed = "Ma\u0301laga espan\u0303ola"
    assert split_words(decomposed) == ["Málaga", "española"]


def test_deletion_is_a_pure_function_of_the_generator_seed() -> None:
    text = "Piso luminoso de tres dormitorios en el centro de Málaga, cerca de la playa."
    first = [delete_words(text, 0.6, np.random.default_rng([7, 0, 3])) for _ in range(3)]
    assert len(set(first)) == 1
