from __future__ import annotations

import numpy as np


def test_minilm_loads_offline_and_encodes_two_sentences(minilm_path: str) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(minilm_path, device="cpu")
    embeddings = model.encode(["Piso con vistas al mar en Málaga", "Villa with a private pool"])

    assert embeddings.shape == (2, 384)
    assert np.isfinite(embeddings).all()
