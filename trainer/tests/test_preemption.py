from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import cli_command, cli_env, mnrl_config, parse_protocol, run_in_process, write_config


def test_sigterm_finishes_the_step_saves_a_checkpoint_and_exits_75(
    tmp_path: Path, data_dir: Path, minilm_path: str
) -> None:
    config = mnrl_config(minilm_path, data_dir, tmp_path / "out", max_steps=6, batch_size=4, checkpoint_every=0)
    process = subprocess.Popen(
        cli_command("mnrl", write_config(tmp_path, config)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=cli_env(),
        cwd=str(tmp_path),
    )
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 180
    for line in process.stdout:  # wait until training runs
        lines.append(line)
        if json.loads(line)["type"] == "progress" or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=120)
    events = parse_protocol("".join(lines) + rest)

    assert process.returncode == 75
    checkpoint = events[-1]
    assert checkpoint["type"] == "checkpoint"
    assert checkpoint["step"] == max(e["step"] for e in events if e["type"] == "progress")
    assert (Path(checkpoint["path"]) / "manifest.json").is_file()
    assert not any(event["type"] in ("done", "error") for event in events)
    assert not (tmp_path / "out").exists()

    # The bridge's retry: the same config resumed from the announced checkpoint finishes the run.
    code, sink = run_in_process("mnrl", {**config, "resume_from": checkpoint["path"]})
    assert code == 0, sink.events[-1]
    assert sink.of_type("progress")[0]["step"] == checkpoint["step"] + 1
    assert sink.of_type("done")[0]["metrics"]["steps"] == 6


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # an orphan's zombie may wait for a reaper


def test_trainer_checkpoints_and_exits_when_its_parent_dies(tmp_path: Path, data_dir: Path, minilm_path: str) -> None:
    import shlex

    config = mnrl_config(minilm_path, data_dir, tmp_path / "out", max_steps=1000, batch_size=4, checkpoint_every=0)
    command = " ".join(shlex.quote(part) for part in cli_command("mnrl", write_config(tmp_path, config)))
    stdout_file = tmp_path / "events.jsonl"
    # A stand-in for the worker: a shell that starts the trainer with GENQ_PARENT_PID set to itself, then waits.
    parent = subprocess.Popen(
        ["sh", "-c", f'GENQ_PARENT_PID=$$ {command} > {shlex.quote(str(stdout_file))} 2>/dev/null & echo $!; wait'],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
        cwd=str(tmp_path),
    )
    assert parent.stdout is not None
    trainer_pid = int(parent.stdout.readline())
    deadline = time.monotonic() + 180
    while '"progress"' not in (stdout_file.read_text() if stdout_file.exists() else ""):
        assert time.monotonic() < deadline, "the trainer never started training"
        time.sleep(0.5)

    parent.send_signal(signal.SIGKILL)  # the worker dies without a word to the trainer
    parent.wait()
    deadline = time.monotonic() + 120
    while _running(trainer_pid):
        assert time.monotonic() < deadline, "the orphaned trainer kept running"
        time.sleep(0.5)

    events = parse_protocol(stdout_file.read_text())
    assert events[-1]["type"] == "checkpoint"
    assert events[-1]["step"] < 1000
