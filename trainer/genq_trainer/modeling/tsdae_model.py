"""TSDAE: encode the damaged sentence, decode the original from that one vector.

Reference: Wang, Reimers, Gurevych, "TSDAE: Using Transformer-based Sequential Denoising Auto-Encoder for
Unsupervised Sentence Embedding Learning", https://arxiv.org/abs/2104.06979.

Requirements: a BERT-like base model with a causal-LM head (the decoder), and the same tokenizer for both
sides (the decoder is tied to the encoder). Inputs: a batch of damaged texts and the same batch of
original texts, tokenised by the encoder's tokenizer.

``forward`` only embeds and decodes; the loss is the pure function :func:`reconstruction_loss`.
"""

from __future__ import annotations

import torch
from sentence_transformers import SentenceTransformer
from torch import Tensor, nn
from torch.nn import functional as F
from transformers import PreTrainedModel

from genq_trainer.errors import ConfigError
from genq_trainer.modeling.tied_decoder import build_tied_decoder


def reconstruction_loss(logits: Tensor, labels: Tensor, pad_token_id: int) -> Tensor:
    """Mean cross-entropy of predicting ``labels`` (padding ignored).

    logits: (batch, length, vocab); labels: (batch, length).
    """
    return F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(), ignore_index=pad_token_id)


class TsdaeModel(nn.Module):
    """The sentence encoder (kept for inference) and its tied decoder (dropped after training)."""

    def __init__(self, encoder: SentenceTransformer, reference: str) -> None:
        super().__init__()
        self.encoder = encoder
        transformer = encoder[0].auto_model
        self.decoder: PreTrainedModel = build_tied_decoder(transformer, reference)
        self.decoder.to(encoder.device)
        pad = encoder.tokenizer.pad_token_id
        if pad is None:
            raise ConfigError(f"setting 'base_model': the tokenizer of {reference!r} has no padding token")
        self.pad_token_id: int = int(pad)

    def forward(self, damaged: dict[str, Tensor], original: dict[str, Tensor]) -> Tensor:
        """Logits of the decoder reconstructing ``original`` from the embeddings of ``damaged``.

        Returns (batch, length - 1, vocab): position t predicts original token t + 1.
        """
        embeddings = self.encoder(damaged)["sentence_embedding"]  # (batch, hidden)
        input_ids = original["input_ids"][:, :-1]  # (batch, length - 1)
        attention_mask = original["attention_mask"][:, :-1]  # (batch, length - 1)
        memory_mask = torch.ones(embeddings.shape[0], 1, dtype=attention_mask.dtype, device=embeddings.device)
        outputs = self.decoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            encoder_hidden_states=embeddings[:, None, :],  # (batch, 1, hidden)
            encoder_attention_mask=memory_mask,  # (batch, 1)
            use_cache=False,
            return_dict=True,
        )
        return outputs.logits

    def loss(self, damaged: dict[str, Tensor], original: dict[str, Tensor]) -> Tensor:
        logits = self.forward(damaged, original)  # (batch, length - 1, vocab)
        labels = original["input_ids"][:, 1:]  # (batch, length - 1)
        return reconstruction_loss(logits, labels, self.pad_token_id)
