"""A campaign on 127.0.0.1 that can be faulted: the gateway (emulator) and the scheduler as processes of their
own, the service's webhooks in this process, and the tally every fault test ends with.

The tally is what acceptance asks of the fault suite: tasks lost 0, dialled twice 0, calls in flight (in the
database) equal to live calls at the gateway, no 5xx to the gateway. Twilio does not retry a webhook that got
a 5xx (unless the URL carries `#rc=` connection overrides), so every 5xx counts as a lost callback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from dialer.model import Attempt, Database, Recording, Task
from dialer.model.states import CALLS_IN_FLIGHT, FINAL_STATUSES, TaskStatus
from dialer.settings import PROJECT_ROOT
from tests.scheduler.helpers import AT, DIALER, TERMINAL, wait_for

TTS_CACHE = PROJECT_ROOT / "var" / "test-emulator-tts"  # rendered speech never changes: share it
# Customers who answer and key through the claim script (identity, then five questions; the 4th is bad on 是),
# customers who are busy and customers who never answer.
PERSONAS = """
[[persona]]
pattern = "+86135*"
name = "keys-through"
answer_after = 1.0
replies = [{keys = "1"}, {keys = "1"}, {keys = "1"}, {keys = "1"}, {keys = "2"}, {keys = "1"}]

[[persona]]
pattern = "+86137*"
name = "busy"
outcome = "busy"

[[persona]]
pattern = "+86136*"
name = "never-answers"
outcome = "no-answer"
"""
# The scheduler's settings for a campaign that fits in seconds: a pass every half second, short claims.
FAST = {"DIALER_TICK_SECONDS": "0.5", "DIALER_CLAIM_LEASE_SECONDS": "3", "DIALER_RING_TIMEOUT": "5",
        "DIALER_MAX_CPS": "20", "DIALER_MAX_CONCURRENT_CALLS": "20", "DIALER_RECORDINGS_CODEC": "wav",
        "DIALER_LOG_LEVEL": "INFO"}  # fmt: skip


# One line per faulted run, printed again at the end of the test session (conftest's terminal summary).
REPORTED: list[str] = []


def report(line: str) -> str:
    """Print a fault run's figures now and in the session's closing summary."""
    print(line, flush=True)
    REPORTED.append(line)
    return line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class GatewayProcess:
    """`dialer emulator` as its own process, on a fixed port so it can be killed and brought back there."""

    root: Path
    env: dict[str, str]
    speed: float = 20.0
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # every call of every life, by sid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayProcess:
        personas, data = self.root / "personas.toml", self.root / "emu"
        personas.write_text(PERSONAS, encoding="utf-8")
        data.mkdir(parents=True, exist_ok=True)
        TTS_CACHE.mkdir(parents=True, exist_ok=True)
        if not (data / "tts").exists():
            (data / "tts").symlink_to(TTS_CACHE, target_is_directory=True)
        with (self.root / "emulator.log").open("ab") as log:  # the child keeps its own copy of the handle
            self.proc = subprocess.Popen(
                [DIALER, "emulator", "--port", str(self.port), "--personas", str(personas), "--speed",
                 str(self.speed), "--data-dir", str(data), "--cps", "200"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(self._answers, timeout=30, what=f"the emulator on port {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/_emulator/calls", timeout=2).ok
        except requests.RequestException:
            return False

    def calls(self) -> list[dict[str, Any]]:
        """Return the live gateway's calls, and remember them past a kill."""
        found: list[dict[str, Any]] = requests.get(f"{self.url}/_emulator/calls", timeout=10).json()
        self.seen.update((c["sid"], c) for c in found)
        return found

    def kill(self) -> None:
        """SIGKILL: the gateway dies with its calls, as a host or container would."""
        assert self.proc is not None
        self.calls()  # what the gateway had, up to the moment it dies
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None


@dataclass
class SchedulerProcess:
    """`dialer scheduler --at AT` (dialling, recovery, and the recording worker) as its own process."""

    root: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SchedulerProcess:
        with (self.root / "scheduler.log").open("ab") as log:
            self.proc = subprocess.Popen([DIALER, "scheduler", "--at", AT.isoformat()], env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)  # fmt: skip
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    def log(self) -> str:
        return (self.root / "scheduler.log").read_text(encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class Tally:
    """What one faulted campaign left behind."""

    tasks: int
    tasks_lost: int
    dialled_twice: int
    in_flight: int
    live_at_gateway: int
    gateway_5xx: int
    recordings_missing: int

    def show(self, fault: str) -> str:
        line = (f"[{fault}] tasks {self.tasks}: lost {self.tasks_lost}, dialled twice {self.dialled_twice}, "
                f"in flight {self.in_flight} = live at the gateway {self.live_at_gateway}, "
                f"5xx to the gateway {self.gateway_5xx}, recordings missing {self.recordings_missing}")  # fmt: skip
        return report(line)

    def assert_whole(self) -> None:
        assert (self.tasks_lost, self.dialled_twice, self.gateway_5xx) == (0, 0, 0), self
        assert self.in_flight == self.live_at_gateway, self


def tally(db: Database, gateway: GatewayProcess, task_ids: list[int], *, killed_calls: Collection[str] = ()) -> Tally:  # fmt: skip
    """Count what the acceptance asks for, from the database and from every call the gateway ever had.

    Lost: a task missing, or neither closed nor waiting with a time for its next attempt. Dialled twice: a
    number the gateway called more than once, or a task with more than one placed call (a fault run lasts
    seconds; the policy's next attempt after busy or no answer is hours away). Recordings missing: answered
    calls, other than those that died with the gateway, without a stored full-call recording.
    """
    live_now = [c for c in gateway.calls() if c["status"] not in TERMINAL]
    calls = list(gateway.seen.values())
    with db.session() as s:
        tasks = {t.id: t for t in s.scalars(select(Task).where(Task.id.in_(task_ids)))}
        attempts = list(s.scalars(select(Attempt).where(Attempt.task_id.in_(task_ids))))
        in_flight = s.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.status.in_(CALLS_IN_FLIGHT))
        )
        answered = {a.id for a in attempts if a.answered_at is not None and a.call_sid not in killed_calls}
        kept = set(s.scalars(select(Recording.attempt_id).where(
            Recording.kind == "call", Recording.status == "stored", Recording.attempt_id.in_(answered or {0}))))  # fmt: skip
    lost = len(task_ids) - len(tasks) + sum(1 for t in tasks.values() if not _accounted(t))
    per_number = Counter(c["to"] for c in calls)
    per_task = Counter(a.task_id for a in attempts if a.call_sid)
    twice = sum(n - 1 for n in per_number.values() if n > 1) + sum(n - 1 for n in per_task.values() if n > 1)
    fivexx = sum(1 for c in calls for w in c["webhooks"] if (w.get("status") or 0) >= 500)
    return Tally(len(task_ids), lost, twice, in_flight or 0, len(live_now), fivexx, len(answered - kept))


def _accounted(task: Task) -> bool:
    """A task is accounted for when it is closed, or waits with a time for its next attempt."""
    if task.status in FINAL_STATUSES:
        return True
    return task.status == TaskStatus.PENDING and task.next_attempt_at is not None


def settle(db: Database, gateway: GatewayProcess, task_ids: list[int], timeout: float = 90.0,
           recordings: bool = True) -> None:  # fmt: skip
    """Wait until every task has been dialled and its call is over (and, if asked, its recording stored)."""

    def over() -> bool:
        with db.session() as s:
            open_tasks = s.scalar(select(func.count()).select_from(Task).where(
                Task.id.in_(task_ids), Task.status == TaskStatus.DIALLING))  # fmt: skip
            dialled = set(s.scalars(select(Attempt.task_id).where(Attempt.task_id.in_(task_ids))))
            undialled = len(set(task_ids) - dialled)
            pending = s.scalar(
                select(func.count()).select_from(Recording).where(Recording.status == "pending")
            )
        live = [c for c in gateway.calls() if c["status"] not in TERMINAL]
        return not open_tasks and not undialled and not live and (not recordings or not pending)

    wait_for(over, timeout=timeout, what="every call over")


def python_module(module: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `python -m module args…` from the project root."""
    return subprocess.Popen([sys.executable, "-m", module, *args], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
