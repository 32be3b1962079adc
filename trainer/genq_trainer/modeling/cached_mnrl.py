"""Cached MNRL (GradCache): the MNRL gradient of a large batch in bounded memory.

Reference: Gao et al., "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup",
https://arxiv.org/abs/2101.06983; sentence-transformers' ``CachedMultipleNegativesRankingLoss``.

1. Embed every mini-batch without a graph, remembering each mini-batch's RNG state (dropout).
2. Compute the loss on the detached embeddings and its gradient with respect to them.
3. Re-embed each mini-batch with a graph under the same RNG state and back-propagate the cached
   embedding gradient through it (a surrogate ``<embeddings, gradient>``).

The result equals plain MNRL's loss and gradients (up to float rounding), with activation memory of
one mini-batch. Unlike the sentence-transformers version, step 3 runs explicitly in the training step
(not in a backward hook), so it runs under the same autocast and gradient scaling as step 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import torch
from torch import Tensor

from genq_trainer.modeling.mnrl_loss import mnrl_loss

EmbedFn = Callable[[dict[str, Tensor]], Tensor]


class RngSnapshot:
    """The CPU and CUDA generator states at a point, to replay dropout exactly."""

    def __init__(self, device: torch.device) -> None:
        self.cpu = torch.get_rng_state()
        self.cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
        self.device = device

    @contextmanager
    def replay(self) -> Iterator[None]:
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.set_rng_state(self.cpu)
            if self.cuda is not None:
                torch.cuda.set_rng_state(self.cuda, self.device)
            yield


def _slices(features: dict[str, Tensor], size: int) -> list[dict[str, Tensor]]:
    total = features["input_ids"].shape[0]
    return [{key: value[start : start + size] for key, value in features.items()} for start in range(0, total, size)]


def cached_mnrl_step(
    embed: EmbedFn,
    queries: dict[str, Tensor],
    chunks: dict[str, Tensor],
    *,
    scale: float,
    mini_batch_size: int,
    autocast: Callable[[], AbstractContextManager[object]],
    backward: Callable[[Tensor], None],
) -> Tensor:
    """Run forward and backward of MNRL over ``queries`` x ``chunks`` in mini-batches; return the loss.

    ``embed`` maps tokenised features to embeddings (batch, hidden); ``autocast`` gives the precision
    context of the forward passes; ``backward`` back-propagates a scalar (scaling it under fp16).
    """
    device = queries["input_ids"].device
    columns = [_slices(queries, mini_batch_size), _slices(chunks, mini_batch_size)]
    detached: list[list[Tensor]] = []
    states: list[list[RngSnapshot]] = []
    # Step 1: embeddings without graphs.
    for column in columns:
        column_embeddings: list[Tensor] = []
        column_states: list[RngSnapshot] = []
        for piece in column:
            column_states.append(RngSnapshot(device))
            with torch.no_grad(), autocast():
                column_embeddings.append(embed(piece).float())  # (mini, hidden)
        detached.append(column_embeddings)
        states.append(column_states)
    # Step 2: the loss and its gradient with respect to the embeddings.
    leaves = [[piece.detach().requires_grad_() for piece in column] for column in detached]
    anchors = torch.cat(leaves[0])  # (batch, hidden)
    positives = torch.cat(leaves[1])  # (batch, hidden)
    loss = mnrl_loss(anchors, positives, scale)
    anchor_grads_and_positive_grads = torch.autograd.grad(loss, [*leaves[0], *leaves[1]])
    grads = [
        list(anchor_grads_and_positive_grads[: len(leaves[0])]),
        list(anchor_grads_and_positive_grads[len(leaves[0]) :]),
    ]
    # Step 3: re-embed with graphs under the same RNG state and push the cached gradients through.
    for column, column_states, column_grads in zip(columns, states, grads):
        for piece, state, grad in zip(column, column_states, column_grads):
            with state.replay(), autocast():
                embeddings = embed(piece).float()  # (mini, hidden)
            backward(torch.sum(embeddings * grad))
    return loss.detach()
