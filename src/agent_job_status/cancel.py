"""Cancellation: SIGINT or SIGTERM ends a wait at once, keeping what it knew.

When a workflow is cancelled, the runner sends the step's process SIGINT,
then SIGTERM 7.5 s later, then kills it 2.5 s after that (GitHub's docs:
"Workflow cancellation reference"; `docker run` forwards both). So the first
signal raises `Cancelled` where the run is (the wait loop keeps its last
reports on the exception), later ones are ignored while the outputs and the
summary are written, and the exit code is the shell's 128 + signal number
(130, 143): the runner marks the step cancelled whatever the code.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_job_status.report import Report

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Cancelled(BaseException):  # like KeyboardInterrupt: no `except Exception` hides it
    """The run was asked to stop; `reports` holds the last ones seen (may be empty)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"cancelled by {self.name}")
        self.reports: list[Report] = []

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """Later signals: a Python no-op, not SIG_IGN (CPython reports a signal already
    pending when its handler becomes SIG_IGN as an error)."""


def _raise_once(signum: int, _frame: FrameType | None) -> None:
    # The second signal (SIGTERM after SIGINT) must not cut the publishing short.
    for sig in SIGNALS:
        signal.signal(sig, _ignore)
    raise Cancelled(signum)


@contextmanager
def cancellable() -> Iterator[None]:
    """Within this block, SIGINT and SIGTERM raise `Cancelled` (main thread only)."""
    previous = {sig: signal.signal(sig, _raise_once) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
