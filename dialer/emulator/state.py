"""What the emulator remembers: calls, recordings and their logs, behind one lock."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

API_VERSION = "2010-04-01"
TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def new_sid(prefix: str) -> str:
    """Return a Twilio-format SID: two letters and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    """Render an instant the way Twilio's REST API does: `Tue, 10 Aug 2010 08:02:17 +0000`."""
    return None if moment is None else format_datetime(moment.astimezone(UTC))


def now() -> datetime:
    """Return the wall-clock instant in UTC, whole seconds as Twilio shows them."""
    return datetime.now(UTC).replace(microsecond=0)


class Signals:
    """Flags raised by other threads (REST hang-up, redirect, a bridge) that wake a call's thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._flags: dict[str, Any] = {}

    def raise_flag(self, flag: str, value: Any = True) -> None:
        with self._cond:
            self._flags[flag] = value
            self._cond.notify_all()

    def take(self, flag: str) -> Any:
        """Clear a flag and return its value (None when it was not raised)."""
        with self._cond:
            return self._flags.pop(flag, None)

    def peek(self, flag: str) -> Any:
        with self._cond:
            return self._flags.get(flag)

    def wait(self, timeout: float, flags: frozenset[str]) -> str | None:
        """Wait up to `timeout` real seconds for one of `flags`; return it, or None on timeout."""
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._cond:
            while True:
                hit = next((f for f in flags if f in self._flags), None)
                remaining = deadline - time.monotonic()
                if hit is not None or remaining <= 0:
                    return hit
                self._cond.wait(remaining)


@dataclass(frozen=True)
class CallOptions:
    """The parameters a call was created with (Twilio docs: Call resource, create a Call), already validated."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_events: tuple[str, ...] = ("completed",)
    timeout: int = 60
    record: bool = False
    recording_channels: str = "mono"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"
    recording_status_events: tuple[str, ...] = ("completed",)
    trim: str = "trim-silence"
    machine_detection: str | None = None
    async_amd: bool = False
    async_amd_callback: str | None = None
    async_amd_callback_method: str = "POST"
    time_limit: int = 14400


@dataclass
class Call:
    """One call leg and everything that happened on it."""

    sid: str
    account_sid: str
    to: str
    from_: str
    options: CallOptions
    direction: str = "outbound-api"
    parent_call_sid: str | None = None
    status: str = "queued"
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    answered_by: str | None = None
    queue_time: int = 0
    persona: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    streams: list[dict[str, Any]] = field(default_factory=list)  # each Media Stream, for the inspection
    signals: Signals = field(default_factory=Signals)
    started_mono: float = field(default_factory=time.monotonic)

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    def log(self, t: float, event: str, **detail: Any) -> None:
        """Append an event with its call time `t` (seconds since creation) and the wall-clock time."""
        entry = {"t": round(t, 3), "at": datetime.now(UTC).isoformat(), "event": event, **detail}
        self.events.append(entry)

    def set_status(self, status: str) -> None:
        self.status = status
        self.date_updated = now()


@dataclass
class Recording:
    """One recording: a whole call (OutboundAPI), a Dial leg (DialVerb) or a `<Record>` clip."""

    sid: str
    account_sid: str
    call_sid: str
    source: str
    channels: int
    duration: int
    path: Path
    start_time: datetime
    status: str = "completed"
    track: str = "both"
    error_code: int | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    # Media 404s until this monotonic instant (`--clip-delay`: Twilio's clip may lag its `<Record>` action).
    available_at: float = 0.0


class Store:
    """Calls and recordings by SID, safe to use from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, Call] = {}
        self._recordings: dict[str, Recording] = {}

    def add_call(self, call: Call) -> None:
        with self._lock:
            self._calls[call.sid] = call

    def call(self, sid: str) -> Call | None:
        with self._lock:
            return self._calls.get(sid)

    def calls(self) -> list[Call]:
        """Return every call, newest first, as Twilio lists them."""
        with self._lock:
            return list(reversed(self._calls.values()))

    def delete_call(self, sid: str) -> None:
        with self._lock:
            self._calls.pop(sid, None)

    def add_recording(self, recording: Recording) -> None:
        with self._lock:
            self._recordings[recording.sid] = recording

    def recording(self, sid: str) -> Recording | None:
        with self._lock:
            rec = self._recordings.get(sid)
        return rec if rec is not None and rec.status != "deleted" else None

    def recordings(self, include_deleted: bool = False) -> list[Recording]:
        with self._lock:
            found = list(reversed(self._recordings.values()))
        return [r for r in found if include_deleted or r.status != "deleted"]
