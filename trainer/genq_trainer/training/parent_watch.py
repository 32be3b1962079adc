"""Exit when the spawning process dies, so no orphaned trainer keeps a GPU busy.

The trainer bridge sets ``GENQ_PARENT_PID``. A daemon thread checks every few seconds that this process
is still our parent; when it is gone (even killed with SIGKILL, which sends us nothing), the stage is
asked to stop as on SIGTERM (finish the step, checkpoint, exit 75), and if it has not exited within
``grace_s`` the process ends at once with exit code 75.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from genq_trainer.errors import ExitCode

logger = logging.getLogger(__name__)

PARENT_PID_VARIABLE = "GENQ_PARENT_PID"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def parent_gone(pid: int, started_as_child: bool) -> bool:
    """Whether ``pid`` no longer runs (or, when it started us, is no longer our parent)."""
    if started_as_child and os.getppid() != pid:
        return True
    return not _alive(pid)


def watch_parent(
    request_stop: Callable[[], None], *, interval_s: float = 2.0, grace_s: float = 120.0
) -> threading.Thread | None:
    """Start the watch if ``GENQ_PARENT_PID`` is set; return its thread (None when not set or invalid)."""
    raw = os.environ.get(PARENT_PID_VARIABLE)
    if not raw:
        return None
    try:
        pid = int(raw)
    except ValueError:
        logger.warning("%s=%r is not a process id; not watching the parent", PARENT_PID_VARIABLE, raw)
        return None
    started_as_child = os.getppid() == pid

    def watch() -> None:
        while not parent_gone(pid, started_as_child):
            time.sleep(interval_s)
        logger.warning("parent process %d is gone: stopping after the current step", pid)
        request_stop()
        time.sleep(grace_s)
        logger.error("still running %.0fs after the parent died: exiting now", grace_s)
        os._exit(ExitCode.PREEMPTED)

    thread = threading.Thread(target=watch, name="genq-parent-watch", daemon=True)
    thread.start()
    return thread
