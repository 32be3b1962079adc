"""Export the transformer alone to ONNX: token ids in, ``last_hidden_state`` out.

Inputs ``input_ids``, ``attention_mask`` and, when the model uses them, ``token_type_ids`` (int64,
(batch, sequence)); output ``last_hidden_state`` (float32, (batch, sequence, hidden)); batch and
sequence axes are dynamic. Pooling and normalisation are not in the graph: the package's
``genq-model.json`` states them. The model is loaded with eager attention so the traced graph keeps the
attention mask for every shape, and exported with the TorchScript exporter (``dynamo=False``).
"""

from __future__ import annotations

import inspect
import logging
import warnings
from pathlib import Path

import onnx
import torch
from torch import Tensor, nn
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

OUTPUT_NAME = "last_hidden_state"


class LastHiddenState(nn.Module):
    """Wraps a transformers encoder so that the graph has exactly the named inputs and one output."""

    def __init__(self, model: PreTrainedModel, with_token_types: bool) -> None:
        super().__init__()
        self.model = model
        self.with_token_types = with_token_types

    def forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor | None = None) -> Tensor:
        kwargs = {"token_type_ids": token_type_ids} if self.with_token_types else {}
        return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True, **kwargs).last_hidden_state


def input_names_for(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> list[str]:
    """input_ids and attention_mask, plus token_type_ids when both the tokenizer and the model use them."""
    names = ["input_ids", "attention_mask"]
    accepts = "token_type_ids" in inspect.signature(model.forward).parameters
    if accepts and "token_type_ids" in tokenizer.model_input_names and getattr(model.config, "type_vocab_size", 0) > 0:
        names.append("token_type_ids")
    return names


def load_for_export(transformer_path: str | Path) -> PreTrainedModel:
    model = AutoModel.from_pretrained(str(transformer_path), attn_implementation="eager", dtype=torch.float32)
    if getattr(model, "pooler", None) is not None:
        model.pooler = None  # the package pools itself; keeps the graph free of unused weights
    return model.eval()


def export_onnx(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, output_file: str | Path, opset: int
) -> list[str]:
    """Write ``output_file`` and return the graph's input names."""
    names = input_names_for(model, tokenizer)
    sample = tokenizer(
        ["Piso luminoso en Málaga con vistas al mar.", "Villa with a pool"],
        padding=True,
        return_tensors="pt",
    )
    args = tuple(sample[name] for name in names)
    dynamic_axes = {name: {0: "batch", 1: "sequence"} for name in names}
    dynamic_axes[OUTPUT_NAME] = {0: "batch", 1: "sequence"}
    wrapper = LastHiddenState(model, with_token_types="token_type_ids" in names).eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(
            wrapper,
            args,
            str(output_file),
            input_names=names,
            output_names=[OUTPUT_NAME],
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    onnx.checker.check_model(str(output_file))
    logger.info("ONNX graph written to %s (opset %d, inputs %s)", output_file, opset, ", ".join(names))
    return names
