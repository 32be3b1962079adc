from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import mnrl_config, run_in_process, tsdae_config


def _weights(model_dir: Path) -> dict[str, torch.Tensor]:
    return load_file(str(model_dir / "model.safetensors"))


@pytest.mark.parametrize("stage", ["mnrl", "tsdae"])
def test_resume_from_a_checkpoint_continues_the_exact_schedule(
    stage: str, tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    make_config = mnrl_config if stage == "mnrl" else tsdae_config
    # 4-5 batches per epoch: the resumed steps cross into epoch 1, so the data position matters.
    common = {"max_steps": 6, "batch_size": 4 if stage == "tsdae" else 8, "checkpoint_every": 4, "keep_checkpoints": 0}
    if stage == "mnrl":
        common["warmup_ratio"] = 0.3  # the lr changes at every step, so a wrong schedule shows

    code, straight = run_in_process(stage, make_config(minilm_path, data_dir, tmp_path / "straight", **common))
    assert code == 0, straight.events[-1]
    checkpoints = straight.of_type("checkpoint")
    assert [event["step"] for event in checkpoints] == [4]  # none after the last step: the model is the output
    checkpoint = Path(checkpoints[0]["path"])
    manifest = json.loads((checkpoint / "manifest.json").read_text())
    assert manifest["step"] == 4 and manifest["stage"] == stage
    assert {"model.pt", "optimizer.pt", "scheduler.pt", "rng.pt", "trainer_state.json"} <= set(manifest["files"])

    # Resume as the bridge does: from a copy restored out of the artifact store, which leaves manifest.json out.
    restored = tmp_path / "restored"
    shutil.copytree(checkpoint, restored, ignore=shutil.ignore_patterns("manifest.json"))
    resumed_config = make_config(
        minilm_path,
        data_dir,
        tmp_path / "resumed",
        **common,
        resume_from=str(restored),
        checkpoint_dir=str(tmp_path / "resumed-checkpoints"),
    )
    code, resumed = run_in_process(stage, resumed_config)
    assert code == 0, resumed.events[-1]

    straight_tail = [e for e in straight.of_type("progress") if e["step"] > 4]
    resumed_progress = resumed.of_type("progress")
    assert [e["step"] for e in resumed_progress] == [5, 6]
    assert manifest["epoch"] == 0 and resumed_progress[-1]["epoch"] > 1.0
    for expected, actual in zip(straight_tail, resumed_progress):
        assert actual["lr"] == expected["lr"]
        assert actual["epoch"] == expected["epoch"]
        assert actual["loss"] == pytest.approx(expected["loss"], rel=1e-5, abs=1e-6)
    expected_weights = _weights(tmp_path / "straight")
    actual_weights = _weights(tmp_path / "resumed")
    assert expected_weights.keys() == actual_weights.keys()
    for name, tensor in expected_weights.items():
        torch.testing.assert_close(actual_weights[name], tensor, rtol=1e-5, atol=1e-6, msg=name)


def test_resume_refuses_a_checkpoint_written_with_another_schedule(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    config = mnrl_config(minilm_path, data_dir, tmp_path / "a", max_steps=2, checkpoint_every=1, batch_size=4)
    code, first = run_in_process("mnrl", config)
    assert code == 0
    checkpoint = first.of_type("checkpoint")[0]["path"]

    changed = mnrl_config(
        minilm_path, data_dir, tmp_path / "b", max_steps=2, batch_size=4, learning_rate=1e-4, resume_from=checkpoint
    )
    code, second = run_in_process("mnrl", changed)

    assert code == 64
    error = second.of_type("error")[0]
    assert error["kind"] == "config"
    assert "'learning_rate'" in error["message"]
