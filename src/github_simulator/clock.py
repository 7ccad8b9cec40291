"""Clocks for the simulator: wall time (:class:`RealClock`) or virtual time (:class:`SimClock`)."""

from __future__ import annotations

import threading
import time as _time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "RealClock", "SimClock"]


@runtime_checkable
class Clock(Protocol):
    """What the simulator (and code under test) needs from a clock."""

    def now(self) -> datetime:
        """Current time as an aware UTC datetime."""
        ...

    def time(self) -> float:
        """Current time as seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (really, or virtually)."""
        ...


class RealClock:
    """Wall-clock time; ``sleep`` really sleeps."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def time(self) -> float:
        return _time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Real time cannot be advanced; this just sleeps."""
        self.sleep(seconds)


class SimClock:
    """Virtual time: ``sleep`` and ``advance`` move the clock forward instantly.

    Thread-safe. ``start`` must be timezone-aware (naive datetimes are taken as UTC).
    """

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = datetime(2026, 1, 1, tzinfo=UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def time(self) -> float:
        return self.now().timestamp()

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("cannot move a SimClock backwards")
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
