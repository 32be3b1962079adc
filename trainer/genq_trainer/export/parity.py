"""Parity of the exported graph: PyTorch and onnxruntime must embed the same texts the same way.

The ONNX side re-creates the package's recipe in numpy (the graph's ``last_hidden_state``, then the
stated pooling and normalisation), tokenising with the package's own saved tokenizer; the PyTorch side is
the sentence-transformers model. Each text's cosine similarity between the two must reach the threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from sentence_transformers import SentenceTransformer
from transformers import PreTrainedTokenizerBase

from genq_trainer.errors import ParityError

logger = logging.getLogger(__name__)


def pool(hidden: np.ndarray, attention_mask: np.ndarray, pooling: str) -> np.ndarray:
    """(batch, sequence, hidden) token vectors -> (batch, hidden) sentence vectors."""
    if pooling == "cls":
        return hidden[:, 0, :]
    mask = attention_mask[:, :, None].astype(hidden.dtype)  # (batch, sequence, 1)
    return (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def row_cosines(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``left`` with the same row of ``right``: (n,)."""
    return (l2_normalize(left) * l2_normalize(right)).sum(axis=1)


@dataclass(frozen=True)
class ParityReport:
    texts: int
    min_cosine: float
    mean_cosine: float
    worst_index: int


def compare(reference: np.ndarray, candidate: np.ndarray) -> ParityReport:
    cosines = row_cosines(reference.astype(np.float64), candidate.astype(np.float64))
    worst = int(np.argmin(cosines))
    return ParityReport(
        texts=len(cosines), min_cosine=float(cosines[worst]), mean_cosine=float(cosines.mean()), worst_index=worst
    )


def require_parity(report: ParityReport, threshold: float, texts: Sequence[str], graph: str) -> None:
    """Raise :class:`ParityError` with the worst cosine when any text falls below ``threshold``."""
    if report.min_cosine < threshold:
        worst_text = texts[report.worst_index]
        raise ParityError(
            f"{graph}: PyTorch and onnxruntime embeddings differ: worst cosine {report.min_cosine:.6f} "
            f"< {threshold} (text {report.worst_index}: {worst_text[:80]!r}); mean {report.mean_cosine:.6f}"
        )


def torch_embeddings(
    encoder: SentenceTransformer, texts: Sequence[str], normalize: bool, batch_size: int
) -> np.ndarray:
    """The sentence-transformers model's embeddings (fp32, CPU): (n, hidden)."""
    encoder.eval()
    with torch.inference_mode():
        vectors = encoder.encode(
            list(texts), batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=normalize,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def onnx_embeddings(
    graph: str | Path,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    *,
    pooling: str,
    normalize: bool,
    max_seq_length: int,
    batch_size: int,
) -> np.ndarray:
    """The package recipe run by onnxruntime and numpy: (n, hidden)."""
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(graph), sess_options=options, providers=["CPUExecutionProvider"])
    wanted = [item.name for item in session.get_inputs()]
    pieces: list[np.ndarray] = []
    for start in range(0, len(texts), batch_size):
        encoded = tokenizer(
            list(texts[start : start + batch_size]),
            padding=True,
            truncation=True,
            max_length=max_seq_length,
            return_tensors="np",
        )
        feeds = {name: encoded[name].astype(np.int64) for name in wanted}
        (hidden,) = session.run(["last_hidden_state"], feeds)  # (batch, sequence, hidden)
        vectors = pool(hidden, encoded["attention_mask"], pooling)  # (batch, hidden)
        pieces.append(l2_normalize(vectors) if normalize else vectors)
    return np.concatenate(pieces).astype(np.float32)
