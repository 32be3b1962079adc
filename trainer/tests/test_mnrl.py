from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from tests.conftest import mnrl_config, run_in_process


def test_mnrl_runs_ten_steps_on_cpu_with_finite_loss_and_held_out_eval(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    config = mnrl_config(minilm_path, data_dir, tmp_path / "mnrl-model", eval_file=str(data_dir / "heldout.jsonl"), eval_every=5)

    code, sink = run_in_process("mnrl", config)

    assert code == 0, sink.events[-1]
    progress = sink.of_type("progress")
    assert [event["step"] for event in progress] == list(range(1, 11))
    assert all(math.isfinite(event["loss"]) for event in progress)
    assert progress[0]["lr"] == 0.0  # linear warm-up from 0 (10% of 10 steps = 1 step)
    assert progress[1]["lr"] == pytest.approx(2e-5)
    assert progress[-1]["lr"] < progress[1]["lr"]  # then linear decay
    evals = sink.of_type("eval")
    assert [event["step"] for event in evals] == [5, 10]
    assert set(evals[0]["metrics"]) == {"mrr@10", "ndcg@10", "recall@10"}
    assert all(0.0 <= value <= 1.0 for value in evals[0]["metrics"].values())
    done = sink.of_type("done")[0]
    assert done["metrics"]["recall@10"] == evals[-1]["metrics"]["recall@10"]
    assert (tmp_path / "mnrl-model" / "modules.json").is_file()


def test_mnrl_loss_matches_the_sentence_transformers_reference(minilm_path: str) -> None:
    from sentence_transformers import SentenceTransformer, losses, util

    from genq_trainer.modeling.mnrl_loss import mnrl_loss

    anchors, positives = torch.randn(6, 16), torch.randn(6, 16)
    reference = losses.MultipleNegativesRankingLoss(
        SentenceTransformer(minilm_path, device="cpu"), scale=20.0, similarity_fct=util.cos_sim
    )
    expected = reference.compute_loss_from_embeddings([anchors, positives], labels=None)
    assert torch.allclose(mnrl_loss(anchors, positives, 20.0), expected, atol=1e-6)


def test_cached_mnrl_gives_the_same_loss_and_gradients_as_plain_mnrl(minilm_path: str) -> None:
    import contextlib

    from genq_trainer.modeling.cached_mnrl import cached_mnrl_step
    from genq_trainer.modeling.encoder import load_encoder
    from genq_trainer.modeling.mnrl_loss import mnrl_loss
    from genq_trainer.modeling.tokenize import tokenize

    encoder = load_encoder(minilm_path, "mean", 32, "cpu").eval()  # no dropout: both passes see the same net
    tokenizer = encoder.tokenizer
    device = torch.device("cpu")
    queries = tokenize(tokenizer, ["piso en málaga", "villa con piscina", "ático", "casa de campo"], 32, device)
    chunks = tokenize(tokenizer, ["Piso en Málaga centro.", "Villa con piscina privada.", "Ático con terraza.", "Casa con olivos."], 32, device)

    def embed(features: dict[str, torch.Tensor]) -> torch.Tensor:
        return encoder(dict(features))["sentence_embedding"]

    plain = mnrl_loss(embed(queries), embed(chunks), 20.0)
    plain.backward()
    plain_grads = {name: p.grad.clone() for name, p in encoder.named_parameters() if p.grad is not None}
    encoder.zero_grad(set_to_none=True)

    cached = cached_mnrl_step(
        embed, queries, chunks, scale=20.0, mini_batch_size=3, autocast=contextlib.nullcontext, backward=lambda loss: loss.backward()
    )

    assert torch.allclose(cached, plain.detach(), atol=1e-6)
    for name, parameter in encoder.named_parameters():
        if name in plain_grads:
            assert torch.allclose(parameter.grad, plain_grads[name], atol=1e-5, rtol=1e-4), name


def test_mnrl_cached_setting_trains(tmp_path: Path, data_dir: Path, minilm_path: str) -> None:
    config = mnrl_config(minilm_path, data_dir, tmp_path / "cached", cached=True, mini_batch_size=3, max_steps=2)

    code, sink = run_in_process("mnrl", config)

    assert code == 0, sink.events[-1]
    assert all(math.isfinite(event["loss"]) for event in sink.of_type("progress"))
