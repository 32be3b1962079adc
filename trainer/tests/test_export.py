from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from tests.conftest import run_cli, run_in_process


def test_export_writes_the_package_and_passes_the_parity_check(tmp_path: Path, minilm_path: str) -> None:
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    package = tmp_path / "package"
    code, events, stderr = run_cli(
        "export", {"model_path": minilm_path, "output_dir": str(package), "quantize": True}, tmp_path
    )

    assert code == 0, stderr[-3000:]
    done = events[-1]
    assert done["type"] == "done" and done["output"] == str(package)
    assert done["metrics"]["parity_min_cosine"] >= 0.999
    assert done["metrics"]["parity_texts"] == 100
    assert (package / "model.int8.onnx").is_file()
    assert (package / "tokenizer.json").is_file() and (package / "tokenizer_config.json").is_file()

    description = json.loads((package / "genq-model.json").read_text())
    assert description["format_version"] == 1
    assert description["pooling"] == "mean"  # the MiniLM folder's own pooling
    assert description["normalize"] is True
    assert description["max_seq_length"] == 256
    assert description["dimensions"] == 384
    assert description["base_model"]
    assert description["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]

    graph = onnx.load(str(package / "model.onnx"))
    assert graph.opset_import[0].version == 17
    assert [item.name for item in graph.graph.input] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [item.name for item in graph.graph.output] == ["last_hidden_state"]
    for item in graph.graph.input:
        dims = item.type.tensor_type.shape.dim
        assert dims[0].dim_param and dims[1].dim_param  # dynamic batch and sequence

    # A consumer following genq-model.json gets the sentence-transformers embeddings.
    texts = ["Ático con vistas al mar en Málaga", "Villa with a private pool", "piso"]
    tokenizer = AutoTokenizer.from_pretrained(str(package))
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="np")
    session = ort.InferenceSession(str(package / "model.onnx"), providers=["CPUExecutionProvider"])
    (hidden,) = session.run(None, {name: encoded[name].astype(np.int64) for name in description["inputs"]})
    mask = encoded["attention_mask"][:, :, None]
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    reference = SentenceTransformer(minilm_path, device="cpu").encode(texts, normalize_embeddings=True)
    assert np.allclose(pooled, reference, atol=1e-4)


def test_export_that_fails_parity_leaves_no_package(
    tmp_path: Path, minilm_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from genq_trainer.stages import export as export_stage

    real = export_stage.onnx_embeddings

    def skewed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        vectors = real(*args, **kwargs)
        vectors[3] = -vectors[3]
        return vectors

    monkeypatch.setattr(export_stage, "onnx_embeddings", skewed)
    package = tmp_path / "package"

    code, sink = run_in_process("export", {"model_path": minilm_path, "output_dir": str(package), "parity_texts": 8})

    assert code == 1
    error = sink.of_type("error")[0]
    assert error["kind"] == "data"
    assert "worst cosine -1.0" in error["message"]
    assert not package.exists()
    assert not list(tmp_path.glob(".package.tmp-*"))
