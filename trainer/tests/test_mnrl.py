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


def test_joint_and_separate_pair_encoding_give_the_same_loss(minilm_path: str) -> None:
    """The joint pass pads queries to the chunks' length; with the attention mask that must not change a
    single embedding, so both encodings are the same loss (the separate one at fewer FLOPs)."""
    from genq_trainer.modeling.encoder import load_encoder
    from genq_trainer.modeling.mnrl_loss import mnrl_loss
    from genq_trainer.modeling.tokenize import tokenize

    encoder = load_encoder(minilm_path, "mean", 64, "cpu").eval()
    tokenizer = encoder.tokenizer
    device = torch.device("cpu")
    queries = ["piso en málaga", "villa con piscina", "ático luminoso", "casa de campo"]
    chunks = [
        "Piso reformado en el centro de Málaga, tres dormitorios, dos baños y plaza de garaje incluida.",
        "Villa con piscina privada y jardín, a cinco minutos de la playa, orientación sur.",
        "Ático con terraza de 40 m², mucha luz natural y vistas despejadas a la sierra.",
        "Casa de campo con olivos, pozo propio y acceso asfaltado desde el pueblo.",
    ]

    def embed(features: dict[str, torch.Tensor]) -> torch.Tensor:
        return encoder(dict(features))["sentence_embedding"]

    joint_features = tokenize(tokenizer, queries + chunks, 64, device)
    assert joint_features["input_ids"].shape[1] > tokenize(tokenizer, queries, 64, device)["input_ids"].shape[1]
    with torch.no_grad():
        joint = embed(joint_features)
        joint_loss = mnrl_loss(joint[:4], joint[4:], 20.0)
        separate_loss = mnrl_loss(embed(tokenize(tokenizer, queries, 64, device)), embed(tokenize(tokenizer, chunks, 64, device)), 20.0)
    assert torch.allclose(joint_loss, separate_loss, atol=1e-5)


@pytest.mark.parametrize(
    ("pair_encoding", "device_type", "joint"),
    [("auto", "cpu", False), ("auto", "cuda", True), ("joint", "cpu", True), ("separate", "cuda", False)],
)
def test_pair_encoding_auto_is_separate_on_cpu_and_joint_on_gpu(pair_encoding: str, device_type: str, joint: bool) -> None:
    from genq_trainer.stages.mnrl import uses_joint_pass

    assert uses_joint_pass(pair_encoding, device_type) is joint


def test_mnrl_joint_pair_encoding_trains_and_a_wrong_value_is_a_config_error(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    code, sink = run_in_process("mnrl", mnrl_config(minilm_path, data_dir, tmp_path / "joint", pair_encoding="joint", max_steps=2))
    assert code == 0, sink.events[-1]
    assert all(math.isfinite(event["loss"]) for event in sink.of_type("progress"))

    code, sink = run_in_process("mnrl", mnrl_config(minilm_path, data_dir, tmp_path / "bad", pair_encoding="both"))
    error = sink.of_type("error")[0]
    assert code != 0 and "pair_encoding" in error["message"], error
