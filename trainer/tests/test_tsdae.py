from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from tests.conftest import run_cli, tsdae_config


def test_tied_decoder_shares_storage_with_the_encoder(minilm_path: str) -> None:
    from genq_trainer.modeling.encoder import load_encoder
    from genq_trainer.modeling.tsdae_model import TsdaeModel

    encoder = load_encoder(minilm_path, "cls", 32, "cpu")
    model = TsdaeModel(encoder, minilm_path)
    transformer = encoder[0].auto_model
    decoder_base = model.decoder.bert

    encoder_parameters = dict(transformer.named_parameters())
    shared = 0
    for name, parameter in decoder_base.named_parameters(remove_duplicate=False):
        if "crossattention" in name:
            continue
        assert parameter.data_ptr() == encoder_parameters[name].data_ptr(), name
        shared += 1
    assert shared >= 90  # embeddings and all six layers' self-attention and feed-forward weights
    word_embeddings = transformer.embeddings.word_embeddings.weight
    assert decoder_base.embeddings.word_embeddings.weight.data_ptr() == word_embeddings.data_ptr()
    assert decoder_base.encoder.layer[0].attention.self.query.weight.data_ptr() == (
        transformer.encoder.layer[0].attention.self.query.weight.data_ptr()
    )
    assert model.decoder.get_output_embeddings().weight.data_ptr() == word_embeddings.data_ptr()
    # The decoder's cross-attention is its own.
    own = {parameter.data_ptr() for parameter in transformer.parameters()}
    assert decoder_base.encoder.layer[0].crossattention.self.query.weight.data_ptr() not in own


def test_tsdae_cli_runs_ten_steps_with_finite_loss_and_writes_a_loadable_model(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    from sentence_transformers import SentenceTransformer

    output = tmp_path / "tsdae-model"
    config = tsdae_config(minilm_path, data_dir, output, train_file=str(data_dir / "sentences.jsonl"))

    code, events, stderr = run_cli("tsdae", config, tmp_path)

    assert code == 0, stderr[-3000:]
    progress = [event for event in events if event["type"] == "progress"]
    assert [event["step"] for event in progress] == list(range(1, 11))
    for event in progress:
        assert set(event) == {"type", "step", "total_steps", "epoch", "loss", "lr", "pairs_or_sentences_per_s", "elapsed_s"}
        assert event["total_steps"] == 10
        assert math.isfinite(event["loss"]) and event["loss"] > 0
        assert event["lr"] == 3e-5  # constant schedule
    done = events[-1]
    assert done["type"] == "done"
    assert done["output"] == str(output)
    assert math.isfinite(done["metrics"]["loss"])
    assert "tied decoder" in stderr  # logs go to stderr, never stdout

    model = SentenceTransformer(str(output), device="cpu")
    vector = model.encode(["Ático con vistas al mar"])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()
    assert model[1].pooling_mode_cls_token
    assert (output / "genq-training.json").is_file()


def test_tsdae_reconstruction_loss_ignores_padding() -> None:
    from genq_trainer.modeling.tsdae_model import reconstruction_loss

    logits = torch.randn(2, 3, 11)
    labels = torch.tensor([[4, 5, 0], [6, 0, 0]])
    expected = torch.nn.functional.cross_entropy(
        torch.stack([logits[0, 0], logits[0, 1], logits[1, 0]]), torch.tensor([4, 5, 6])
    )
    assert torch.allclose(reconstruction_loss(logits, labels, pad_token_id=0), expected)
