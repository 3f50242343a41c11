"""Clocks. Read the time at the edges only and pass `now` down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests and simulated campaigns."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        with self._lock:
            self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


class RunningClock(FixedClock):
    """A clock that runs at `rate` times real time from wherever it was last set; for simulated campaigns.

    A simulated campaign jumps from window to window, but within a window each event still gets its own
    instant, as far apart as the (sped-up) gateway's call time puts them.
    """

    def __init__(
        self, start: datetime, rate: float = 1.0, ticks: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(start)
        self._rate, self._ticks = rate, ticks
        self._since = ticks()

    def now(self) -> datetime:
        with self._lock:
            return self._now + timedelta(seconds=(self._ticks() - self._since) * self._rate)

    def set(self, instant: datetime) -> None:
        super().set(instant)
        with self._lock:
            self._since = self._ticks()

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.now() + delta)
        return self.now()


def utcnow() -> datetime:
    """Return the wall-clock instant in UTC (for edges that have no Clock at hand)."""
    return datetime.now(UTC)
