from __future__ import annotations

from pathlib import Path

import pytest

from genq_trainer.errors import ConfigError
from genq_trainer.settings import MnrlSettings, TsdaeSettings, load_settings


def test_unknown_key_is_an_error_naming_the_key(tmp_path: Path, data_dir: Path, minilm_path: str) -> None:
    config = {"base_model": minilm_path, "train_file": str(data_dir / "sentences.txt"), "output_dir": str(tmp_path / "o")}
    with pytest.raises(ConfigError, match="'learning_rat'.*did you mean 'learning_rate'"):
        load_settings(TsdaeSettings, {**config, "learning_rat": 1e-5})


def test_wrong_type_and_out_of_range_values_are_errors_showing_the_value(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    config = {"base_model": minilm_path, "train_file": str(data_dir / "pairs.jsonl"), "output_dir": str(tmp_path / "o")}
    with pytest.raises(ConfigError, match="'batch_size' must be int, got \"32\""):
        load_settings(MnrlSettings, {**config, "batch_size": "32"})
    with pytest.raises(ConfigError, match="'batch_size' must be >= 2.*got 1"):
        load_settings(MnrlSettings, {**config, "batch_size": 1})
    with pytest.raises(ConfigError, match="'pooling' must be \"cls\"\\|\"mean\", got \"max\""):
        load_settings(MnrlSettings, {**config, "pooling": "max"})
    with pytest.raises(ConfigError, match="'deletion_ratio' must be in"):
        load_settings(TsdaeSettings, {**config, "train_file": str(data_dir / "sentences.txt"), "deletion_ratio": 1.5})


def test_defaults_follow_the_method(tmp_path: Path, data_dir: Path, minilm_path: str) -> None:
    tsdae = load_settings(TsdaeSettings, {"train_file": str(data_dir / "sentences.txt"), "output_dir": str(tmp_path / "t"), "base_model": minilm_path})
    assert (tsdae.pooling, tsdae.batch_size, tsdae.learning_rate, tsdae.weight_decay, tsdae.deletion_ratio) == ("cls", 8, 3e-5, 0.0, 0.6)
    assert (tsdae.lr_schedule, tsdae.warmup_ratio) == ("constant", 0.0)
    mnrl = load_settings(MnrlSettings, {"train_file": str(data_dir / "pairs.jsonl"), "output_dir": str(tmp_path / "m"), "base_model": minilm_path})
    assert (mnrl.pooling, mnrl.batch_size, mnrl.scale, mnrl.warmup_ratio, mnrl.lr_schedule) == ("mean", 32, 20.0, 0.1, "linear")
    assert TsdaeSettings.__dataclass_fields__["base_model"].default == "bert-base-uncased"
