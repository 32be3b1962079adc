"""TSDAE input noise: delete a share of the words of a sentence, keeping at least one.

Reference: Wang, Reimers, Gurevych, "TSDAE: Using Transformer-based Sequential Denoising Auto-Encoder for
Unsupervised Sentence Embedding Learning", https://arxiv.org/abs/2104.06979 (deletion ratio 0.6).

Each word is deleted independently with probability ``ratio`` (as in the reference
``DenoisingAutoEncoderDataset.delete``), so about 60% of the words go; when every word would go, one
random word stays. Words come from a Unicode-aware split (letters and digits of any script, with inner
apostrophes or hyphens), so Spanish words such as "Málaga" or "señorial" stay whole; each punctuation mark
is a word of its own, as in the reference's tokeniser. NLTK's English rules are not used.

Example::

    >>> import numpy as np
    >>> delete_words("Piso en Málaga con vistas al mar", 0.6, np.random.default_rng(0))  # doctest: +SKIP
    'Málaga vistas'
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_WORD = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)
_SPACE_BEFORE_CLOSING = re.compile(r"\s+([,.;:!?%)\]}»…])")
_SPACE_AFTER_OPENING = re.compile(r"([(\[{«¿¡])\s+")


def split_words(text: str) -> list[str]:
    """Words and punctuation marks of ``text`` (NFC-normalised, so accents stay inside their words)."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


def join_words(words: list[str]) -> str:
    """Join words with single spaces, without spaces inside punctuation."""
    text = " ".join(words)
    text = _SPACE_BEFORE_CLOSING.sub(r"\1", text)
    return _SPACE_AFTER_OPENING.sub(r"\1", text)


def keep_mask(n_words: int, ratio: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of the words kept: each deleted with probability ``ratio``, at least one kept."""
    keep = rng.random(n_words) >= ratio  # (n_words,)
    if n_words and not keep.any():
        keep[rng.integers(n_words)] = True
    return keep


def delete_words(text: str, ratio: float, rng: np.random.Generator) -> str:
    """``text`` with about ``ratio`` of its words deleted (at least one word kept)."""
    words = split_words(text)
    if not words:
        return text
    keep = keep_mask(len(words), ratio, rng)
    return join_words([word for word, kept in zip(words, keep) if kept])
