"""A TSDAE decoder whose weights are the encoder's own (tied), plus its new cross-attention.

The decoder is the base model loaded as a causal LM (``is_decoder=True``, ``add_cross_attention=True``).
Every decoder parameter whose module path and shape match an encoder parameter is replaced by the
encoder's ``Parameter`` object, so both share storage and one optimizer step updates both. Only the
cross-attention layers (and the LM head's transform, absent from the encoder) stay the decoder's own.
The LM head's output projection is tied to the encoder's word embeddings, as BERT ties its own.

Reference: TSDAE (https://arxiv.org/abs/2104.06979), section 3: "we tie the encoder and decoder parameters".
"""

from __future__ import annotations

import logging

from torch import nn
from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedModel
from transformers.utils import logging as transformers_logging

from genq_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

CROSS_ATTENTION_MARKERS = ("crossattention", "cross_attn", "encoder_attn")


def tie_parameters(encoder: nn.Module, decoder_base: nn.Module) -> list[str]:
    """Point ``decoder_base``'s parameters at ``encoder``'s where name and shape match; return the names tied."""
    encoder_modules = dict(encoder.named_modules())
    tied: list[str] = []
    for module_name, decoder_module in decoder_base.named_modules():
        encoder_module = encoder_modules.get(module_name)
        if encoder_module is None:
            continue
        for parameter_name, parameter in list(decoder_module.named_parameters(recurse=False)):
            shared = encoder_module._parameters.get(parameter_name)
            if shared is not None and shared.shape == parameter.shape:
                setattr(decoder_module, parameter_name, shared)
                tied.append(f"{module_name}.{parameter_name}" if module_name else parameter_name)
    return tied


def untied_parameters(encoder: nn.Module, decoder_base: nn.Module) -> list[str]:
    """Decoder parameters that should be tied (not cross-attention) but do not share the encoder's storage."""
    encoder_pointers = {parameter.data_ptr() for parameter in encoder.parameters()}
    return [
        name
        for name, parameter in decoder_base.named_parameters(remove_duplicate=False)
        if not any(marker in name for marker in CROSS_ATTENTION_MARKERS) and parameter.data_ptr() not in encoder_pointers
    ]


def build_tied_decoder(encoder: PreTrainedModel, reference: str) -> PreTrainedModel:
    """A causal-LM decoder of ``reference`` with cross-attention, tied to ``encoder``."""
    config = AutoConfig.from_pretrained(reference)
    config.is_decoder = True
    config.add_cross_attention = True
    if config.hidden_size != encoder.config.hidden_size:
        raise ConfigError(
            f"decoder hidden size {config.hidden_size} differs from the encoder's {encoder.config.hidden_size}"
        )
    previous_verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()  # "newly initialized cross-attention" is expected here
    try:
        decoder = AutoModelForCausalLM.from_pretrained(reference, config=config)
    except ValueError as error:
        raise ConfigError(
            f"setting 'base_model': {reference!r} ({config.model_type}) has no causal-LM head, so it cannot "
            f"serve as the TSDAE decoder: {error}",
            advice="use a BERT-like encoder (bert, roberta, ...) as base_model",
        ) from error
    finally:
        transformers_logging.set_verbosity(previous_verbosity)
    decoder_base = getattr(decoder, decoder.base_model_prefix)
    tied = tie_parameters(encoder, decoder_base)
    output_embeddings = decoder.get_output_embeddings()
    if output_embeddings is not None and getattr(config, "tie_word_embeddings", True):
        input_embeddings = encoder.get_input_embeddings()
        if output_embeddings.weight.shape == input_embeddings.weight.shape:
            output_embeddings.weight = input_embeddings.weight
    missing = untied_parameters(encoder, decoder_base)
    if missing:
        raise ConfigError(
            f"setting 'base_model': cannot tie the decoder of {reference!r} to its encoder; untied: "
            + ", ".join(missing[:5]),
            advice="use a BERT-like encoder whose decoder shares its layer names",
        )
    encoder_pointers = {shared.data_ptr() for shared in encoder.parameters()}
    own = sum(parameter.numel() for parameter in decoder.parameters() if parameter.data_ptr() not in encoder_pointers)
    logger.info("tied decoder: %d parameter tensors shared with the encoder, %.1fM own parameters", len(tied), own / 1e6)
    return decoder
