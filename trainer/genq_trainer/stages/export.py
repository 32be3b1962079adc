"""Stage ``export``: the ONNX model package of a trained sentence-transformers folder.

The package folder holds ``model.onnx`` (the transformer alone), the tokenizer files, optionally
``model.int8.onnx``, and ``genq-model.json`` (pooling, normalisation, max_seq_length, dimensions,
base_model, format_version 1), written last. It is built under a temporary name and renamed only after the
parity check passed, so a failed export leaves no package behind.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
from transformers import AutoTokenizer

from genq_trainer.atomic_dir import atomic_dir
from genq_trainer.errors import ConfigError
from genq_trainer.export.model_folder import folder_max_seq_length, transformer_dir, unsupported_modules
from genq_trainer.export.onnx_graph import OUTPUT_NAME, export_onnx, load_for_export
from genq_trainer.export.package_description import write_package_description
from genq_trainer.export.parity import compare, onnx_embeddings, require_parity, torch_embeddings
from genq_trainer.export.parity_texts import parity_texts
from genq_trainer.export.quantize import quantize_int8
from genq_trainer.modeling.encoder import folder_pooling, load_encoder
from genq_trainer.protocol import Reporter
from genq_trainer.settings.export import ExportSettings
from genq_trainer.settings.loader import log_settings
from genq_trainer.stages.model_output import TRAINING_RECORD
from genq_trainer.stages.result import StageResult
from genq_trainer.training.preemption import PreemptionFlag

logger = logging.getLogger(__name__)

STAGE = "export"
GRAPH = "model.onnx"
INT8_GRAPH = "model.int8.onnx"


def _recorded_base_model(model_path: str) -> str | None:
    record = Path(model_path).expanduser() / TRAINING_RECORD
    if not record.is_file():
        return None
    try:
        content = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    value = content.get("root_base_model") or content.get("base_model")
    return str(value) if value else None


PARITY_SAMPLE = "parity-sample.json"
PARITY_SAMPLE_TEXTS = 16


def run_export(settings: ExportSettings, reporter: Reporter, preemption: PreemptionFlag) -> StageResult:
    del reporter, preemption  # export is short: no progress lines, and SIGTERM simply ends it
    log_settings(STAGE, settings)
    started = time.perf_counter()
    extra = unsupported_modules(settings.model_path)
    if extra:
        raise ConfigError(
            f"setting 'model_path': {settings.model_path} has modules the package cannot hold: {', '.join(extra)}",
            advice="export a model made of a transformer and a cls or mean pooling (and optional normalisation)",
        )
    pooling = settings.pooling or folder_pooling(settings.model_path)
    if pooling is None:
        raise ConfigError(
            f"setting 'pooling': {settings.model_path} states no cls or mean pooling",
            advice="set pooling: cls or mean",
        )
    max_seq_length = settings.max_seq_length or folder_max_seq_length(settings.model_path)
    encoder = load_encoder(settings.model_path, pooling, max_seq_length, "cpu", setting_name="model_path")
    max_seq_length = int(encoder.max_seq_length)
    dimensions = int(encoder.get_sentence_embedding_dimension() or 0)
    base_model = settings.base_model or _recorded_base_model(settings.model_path) or os.path.abspath(settings.model_path)
    texts = parity_texts(settings.parity_texts, settings.texts_file, settings.text_field)

    with atomic_dir(settings.output_dir, replace=settings.overwrite) as folder:
        tokenizer = encoder.tokenizer
        tokenizer.model_max_length = max_seq_length
        tokenizer.save_pretrained(str(folder))
        inputs = export_onnx(load_for_export(transformer_dir(settings.model_path)), tokenizer, folder / GRAPH, settings.opset)

        package_tokenizer = AutoTokenizer.from_pretrained(str(folder))
        reference = torch_embeddings(encoder, texts, settings.normalize, settings.batch_size)

        def graph_embeddings(graph: Path) -> np.ndarray:
            return onnx_embeddings(
                graph,
                package_tokenizer,
                texts,
                pooling=pooling,
                normalize=settings.normalize,
                max_seq_length=max_seq_length,
                batch_size=settings.batch_size,
            )

        report = compare(reference, graph_embeddings(folder / GRAPH))
        logger.info("parity over %d texts: min cosine %.6f, mean %.6f", report.texts, report.min_cosine, report.mean_cosine)
        require_parity(report, settings.parity_min_cosine, texts, GRAPH)
        parity = {"texts": report.texts, "min_cosine": report.min_cosine, "mean_cosine": report.mean_cosine}
        # A few texts with their PyTorch embeddings travel with the package, so any runtime that loads it
        # (the TypeScript side's onnxruntime-node) can prove it reproduces the model.
        sample = min(len(texts), PARITY_SAMPLE_TEXTS)
        (folder / PARITY_SAMPLE).write_text(
            json.dumps({"texts": list(texts[:sample]), "embeddings": reference[:sample].astype(float).tolist()}),
            encoding="utf-8",
        )

        if settings.quantize:
            quantize_int8(folder / GRAPH, folder / INT8_GRAPH)
            int8_report = compare(reference, graph_embeddings(folder / INT8_GRAPH))
            logger.info("int8 parity: min cosine %.6f, mean %.6f", int8_report.min_cosine, int8_report.mean_cosine)
            parity["int8_min_cosine"] = int8_report.min_cosine
            parity["int8_mean_cosine"] = int8_report.mean_cosine

        write_package_description(
            folder,
            {
                "pooling": pooling,
                "normalize": settings.normalize,
                "max_seq_length": max_seq_length,
                "dimensions": dimensions,
                "base_model": base_model,
                "onnx": GRAPH,
                "onnx_int8": INT8_GRAPH if settings.quantize else None,
                "inputs": inputs,
                "output": OUTPUT_NAME,
                "opset": settings.opset,
                "parity": parity,
                "source_model": os.path.abspath(settings.model_path),
            },
        )
    output = os.path.abspath(os.path.expanduser(settings.output_dir))
    metrics = {
        "parity_min_cosine": parity["min_cosine"],
        "parity_mean_cosine": parity["mean_cosine"],
        "parity_texts": report.texts,
        "dimensions": dimensions,
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    if settings.quantize:
        metrics["int8_parity_min_cosine"] = parity["int8_min_cosine"]
    logger.info("model package written to %s", output)
    return StageResult(output=output, metrics=metrics)
