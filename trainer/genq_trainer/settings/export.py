"""Settings of the export stage (ONNX model package with a parity check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genq_trainer.settings import checks
from genq_trainer.settings.loader import setting


@dataclass(frozen=True, kw_only=True)
class ExportSettings:
    """Export a sentence-transformers model folder as an ONNX model package."""

    model_path: str = setting(doc="sentence-transformers model folder (the TSDAE or MNRL output)")
    output_dir: str = setting(doc="package folder to create (written to a temporary name, then renamed)")
    overwrite: bool = setting(False, doc="replace output_dir if it already exists")
    pooling: Literal["cls", "mean"] | None = setting(
        None, doc="cls or mean; default: the model folder's own pooling (required for a plain transformers folder)"
    )
    normalize: bool = setting(True, doc="embeddings are L2-normalised after pooling (cosine = dot product)")
    max_seq_length: int | None = setting(None, doc="tokens per text; default: the model's own max_seq_length")
    base_model: str | None = setting(
        None, doc="recorded in genq-model.json; default: the base model named in the folder's genq-training.json"
    )
    opset: int = setting(17, doc="ONNX opset version")
    quantize: bool = setting(False, doc="also write model.int8.onnx (dynamic int8 quantisation of the weights)")
    texts_file: str | None = setting(
        None, doc="parity texts (text file or JSONL); default: built-in Spanish and English sentences"
    )
    text_field: str = setting("text", doc="JSONL objects in texts_file: the key that holds the text")
    parity_texts: int = setting(100, doc="texts embedded by both PyTorch and onnxruntime")
    parity_min_cosine: float = setting(0.999, doc="every text's cosine(PyTorch, ONNX) must reach this")
    batch_size: int = setting(16, doc="texts per batch in the parity check")

    def __post_init__(self) -> None:
        checks.require_model_reference("model_path", self.model_path)
        checks.require_non_empty("output_dir", self.output_dir)
        checks.require_output_free("output_dir", self.output_dir, self.overwrite)
        if self.max_seq_length is not None:
            checks.require_at_least("max_seq_length", self.max_seq_length, 8)
        checks.require_range("opset", self.opset, 14, 22, high_inclusive=True)
        if self.texts_file is not None:
            checks.require_file("texts_file", self.texts_file)
        checks.require_positive("parity_texts", self.parity_texts)
        checks.require_range("parity_min_cosine", self.parity_min_cosine, -1.0, 1.0, high_inclusive=True)
        checks.require_positive("batch_size", self.batch_size)
