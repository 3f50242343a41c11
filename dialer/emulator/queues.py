"""Call queues (`<Enqueue>`) and the bridges an agent's `<Dial><Queue>` makes with a waiting caller."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from dialer.emulator.state import Signals, new_sid

MAX_SIZE = 1000


@dataclass
class Bridge:
    """Two legs talking; the leg that drives it (the agent's) ends it."""

    caller_sid: str
    agent_sid: str
    agent_pcm: bytes
    ended_by: str = ""
    started: float = field(default_factory=time.monotonic)


@dataclass
class Waiter:
    """A caller waiting in a queue."""

    call_sid: str
    signals: Signals
    since: float = field(default_factory=time.monotonic)


@dataclass
class Queue:
    """A named queue: callers in arrival order, and the agents waiting for one."""

    name: str
    sid: str = field(default_factory=lambda: new_sid("QU"))
    waiters: deque[Waiter] = field(default_factory=deque)
    listeners: list[Signals] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)


class QueueBook:
    """All queues by name, safe to use from many call threads."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Queue:
        with self._lock:
            return self._queues.setdefault(name, Queue(name))

    def join(self, name: str, waiter: Waiter) -> Queue | None:
        """Put a caller at the back of a queue; None when the queue is full."""
        with self._lock:
            q = self._queues.setdefault(name, Queue(name))
            if len(q.waiters) >= MAX_SIZE:
                return None
            q.waiters.append(waiter)
            listeners, q.listeners = q.listeners, []
        for signals in listeners:
            signals.raise_flag("queue-ready")
        return q

    def leave(self, name: str, call_sid: str) -> None:
        with self._lock:
            q = self._queues.get(name)
            if q is not None:
                q.waiters = deque(w for w in q.waiters if w.call_sid != call_sid)

    def take_oldest(self, name: str, listener: Signals) -> Waiter | None:
        """Pop the caller who waited longest; if none, remember `listener` to wake on the next arrival."""
        with self._lock:
            q = self._queues.setdefault(name, Queue(name))
            if q.waiters:
                waiter = q.waiters.popleft()
                q.waits.append(time.monotonic() - waiter.since)
                return waiter
            q.listeners.append(listener)
            return None

    def position(self, name: str, call_sid: str) -> dict[str, Any]:
        """Return the waitUrl fields for one waiting caller (Twilio docs: TwiML <Enqueue>, waitUrl)."""
        with self._lock:
            q = self._queues.setdefault(name, Queue(name))
            sids = [w.call_sid for w in q.waiters]
            avg = int(sum(q.waits) / len(q.waits)) if q.waits else 0
            return {
                "QueuePosition": str(sids.index(call_sid) + 1 if call_sid in sids else 0),
                "QueueSid": q.sid,
                "AvgQueueTime": str(avg),
                "CurrentQueueSize": str(len(sids)),
                "MaxQueueSize": str(MAX_SIZE),
            }
