from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, tsdae_config


def test_missing_base_model_path_fails_fast_with_exit_64_and_the_path(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    missing = tmp_path / "no-such-model"
    config = tsdae_config(str(missing), data_dir, tmp_path / "out")

    code, events, _ = run_cli("tsdae", config, tmp_path, timeout=60)

    assert code == 64
    assert len(events) == 1
    error = events[0]
    assert error["type"] == "error"
    assert error["kind"] == "config"
    assert str(missing) in error["message"]
    assert error["advice"]
    assert not (tmp_path / "out").exists()


def test_unknown_setting_fails_with_exit_64_naming_the_key(tmp_path: Path, data_dir: Path, minilm_path: str) -> None:
    config = tsdae_config(minilm_path, data_dir, tmp_path / "out", batchsize=4)

    code, events, _ = run_cli("tsdae", config, tmp_path, timeout=60)

    assert code == 64
    assert events[-1]["kind"] == "config"
    assert "'batchsize'" in events[-1]["message"]


def test_max_seq_length_beyond_the_models_positions_is_a_config_error(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    from tests.conftest import run_in_process

    code, sink = run_in_process("mnrl", {**tsdae_config(minilm_path, data_dir, tmp_path / "out"),
                                         "train_file": str(data_dir / "pairs.jsonl"), "max_seq_length": 4096})

    assert code == 64
    error = sink.of_type("error")[0]
    assert error["kind"] == "config"
    assert "'max_seq_length' is 4096" in error["message"] and "512" in error["advice"]
