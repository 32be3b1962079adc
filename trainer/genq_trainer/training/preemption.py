"""SIGTERM (and SIGINT) handling: remember the request; the loop checkpoints after the current step."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger(__name__)


class PreemptionFlag:
    """Set by the signal handler, read by the training loop at each step boundary."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_name: str | None = None

    def request(self, signal_name: str) -> None:
        self.signal_name = signal_name
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()


@contextmanager
def preemption_signals(flag: PreemptionFlag) -> Iterator[PreemptionFlag]:
    """Install handlers for SIGTERM and SIGINT that set ``flag`` (main thread only), restoring the old ones."""
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if not flag.requested:
            logger.warning("%s received: finishing the current step, then saving a checkpoint", name)
        flag.request(name)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield flag
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
