"""Command line: ``python -m genq_trainer tsdae|mnrl|export --config cfg.json``.

stdout carries the JSON-lines protocol alone (see :mod:`genq_trainer.protocol`); everything else,
libraries' prints included, goes to stderr. ``python -m genq_trainer schema <stage>`` prints the settings
of a stage (type, default, documentation) as one JSON object.

Exit codes: 0 done, 1 other failure, 64 bad config or data, 70 out of memory, 75 pre-empted after a
checkpoint.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import IO, Any, NoReturn

from genq_trainer.errors import ConfigError, ExitCode, OutOfMemory, Preempted, TrainerError
from genq_trainer.logging_setup import configure_logging
from genq_trainer.protocol import Reporter, StreamSink
from genq_trainer.settings import STAGE_SETTINGS, describe, load_settings, read_config_file
from genq_trainer.training.parent_watch import watch_parent
from genq_trainer.training.preemption import PreemptionFlag, preemption_signals

logger = logging.getLogger(__name__)

STAGE_RUNNERS: dict[str, str] = {
    "tsdae": "genq_trainer.stages.tsdae:run_tsdae",
    "mnrl": "genq_trainer.stages.mnrl:run_mnrl",
    "export": "genq_trainer.stages.export:run_export",
}
TRAINING_STAGES = ("tsdae", "mnrl")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as ConfigError (exit 64 with an error line) instead of exit 2."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"command line: {message}", advice=self.format_usage().strip())


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m genq_trainer", description="GenQ training core (JSON lines on stdout)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for stage in STAGE_RUNNERS:
        command = commands.add_parser(stage, help=f"run the {stage} stage")
        command.add_argument("--config", required=True, help="JSON file of the stage's settings")
    schema = commands.add_parser("schema", help="print a stage's settings as JSON")
    schema.add_argument("stage", choices=sorted(STAGE_RUNNERS))
    return parser


def _runner(stage: str) -> Callable[..., Any]:
    module_name, function_name = STAGE_RUNNERS[stage].split(":")
    return getattr(importlib.import_module(module_name), function_name)


def classify(error: BaseException) -> TrainerError:
    """Map an exception to the protocol's error kinds (out of memory is recognised in all its forms)."""
    if isinstance(error, TrainerError):
        return error
    torch = sys.modules.get("torch")
    if isinstance(error, MemoryError) or (torch is not None and isinstance(error, torch.OutOfMemoryError)):
        return OutOfMemory(f"out of memory: {error}")
    text = str(error)
    if isinstance(error, RuntimeError) and ("out of memory" in text.lower() or "CUBLAS_STATUS_ALLOC_FAILED" in text):
        return OutOfMemory(f"out of memory: {error}")
    return TrainerError(f"{type(error).__name__}: {error}")


def run_stage(
    stage: str, config: Any, reporter: Reporter, *, source: str = "config", watch_parents: bool = False
) -> int:
    """Validate ``config`` for ``stage``, run it, report ``done`` or ``error``; return the exit code."""
    try:
        if stage not in STAGE_SETTINGS:
            raise ConfigError(f"unknown stage {stage!r}", advice=f"use one of {', '.join(STAGE_RUNNERS)}")
        settings = load_settings(STAGE_SETTINGS[stage], config, source=source)
        flag = PreemptionFlag()
        if watch_parents:
            # A training stage stops gracefully (checkpoint, exit 75); export is short and just ends.
            watch_parent(lambda: flag.request("parent exited"), grace_s=120.0 if stage in TRAINING_STAGES else 0.0)
        runner = _runner(stage)
        if stage in TRAINING_STAGES:
            with preemption_signals(flag):
                result = runner(settings, reporter, flag)
        else:
            result = runner(settings, reporter, flag)
        reporter.done(output=result.output, metrics=result.metrics)
        logger.info("%s done: %s", stage, result.output)
        return ExitCode.DONE
    except Preempted as preempted:
        logger.warning("%s", preempted)
        return ExitCode.PREEMPTED
    except Exception as error:  # noqa: BLE001 (every failure becomes one error line and an exit code)
        failure = classify(error)
        if failure.kind == "crash":
            logger.error("%s failed:\n%s", stage, "".join(traceback.format_exception(error)))
        else:
            logger.error("%s failed (%s): %s", stage, failure.kind, failure.message)
        reporter.error(kind=failure.kind, message=failure.message, advice=failure.advice)
        return failure.exit_code


def _isolate_stdout() -> IO[str]:
    """Keep a private handle on the real stdout for the protocol and point fd 1 (and sys.stdout) at stderr."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def main(argv: Sequence[str] | None = None) -> int:
    # Models come from local folders or the local Hugging Face cache; HF_HUB_OFFLINE=0 allows downloads.
    # Set before any Hugging Face library is imported (they read it once, at import).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    configure_logging()
    protocol_stream = _isolate_stdout()
    reporter = Reporter(StreamSink(protocol_stream))
    try:
        arguments = _parser().parse_args(argv)
    except ConfigError as error:
        reporter.error(kind=error.kind, message=error.message, advice=error.advice)
        return error.exit_code
    except SystemExit as exit_request:  # --help
        return int(exit_request.code or 0)
    if arguments.command == "schema":
        protocol_stream.write(json.dumps(describe(STAGE_SETTINGS[arguments.stage]), indent=2) + "\n")
        protocol_stream.flush()
        return ExitCode.DONE
    try:
        config = read_config_file(arguments.config)
    except ConfigError as error:
        reporter.error(kind=error.kind, message=error.message, advice=error.advice)
        return error.exit_code
    return run_stage(arguments.command, config, reporter, source=arguments.config, watch_parents=True)
