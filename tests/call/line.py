"""A whole telephone line on 127.0.0.1: the service's web app, the emulator, the dialler and the database.

The web server is bound first, so the app can be built with the final settings: the public URL is the
server's own URL and the gateway is the emulator. Customers are imported from a call list, the dialler's
tick places their calls, and `settle()` waits until the calls are over and their recordings are stored.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.emulator import Emulator, run_emulator
from dialer.emulator.server import QuietHandler
from dialer.gateway.client import Gateway
from dialer.intake import import_call_list
from dialer.model import Attempt, Database, Escalation, Recording, Task, migrate, open_database
from dialer.model.batches import approve, get_plan
from dialer.model.outcomes import IN_FLIGHT_STATUSES
from dialer.scheduler import build_dialer
from dialer.scheduler.tick import PlannedCall
from dialer.services import load_dial_rules
from dialer.settings import PROJECT_ROOT, Settings
from dialer.worker import download_due_recordings, hang_up_machines, ring_requested_agents

SPEED = 20.0
TTS_CACHE = PROJECT_ROOT / "var" / "test-emulator-tts"  # rendered speech never changes: share it
# Monday 23 November 2026, 10:01 in Shanghai: a working day, one minute into the morning window.
NOW = datetime(2026, 11, 23, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
IMPORTED_ON = date(2026, 11, 22)
EVENT_DAY = "2026-11-20"
PRODUCT = "金福终身寿险"


class LateApp:
    """A WSGI app installed once its server listens: the app's settings need the server's port."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "the app is not installed yet"
        return self.app(environ, start_response)


@dataclass
class Line:
    """Everything a call goes through, running, plus helpers to place calls and read what happened."""

    settings: Settings
    db: Database
    emu: Emulator
    app: Flask
    clock: FixedClock
    root: Path
    tasks: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, phone: str, task_type: str = "new_policy", gender: str = "男") -> int:
        """Import one customer (as an office exports a call list) and return the task's id."""
        rules = load_dial_rules(self.settings).types[task_type]
        path = self.root / f"list-{len(self.tasks)}.csv"
        with path.open("w", encoding="gbk", newline="") as fh:  # as an office system exports it
            out = csv.writer(fh)
            out.writerow(["姓名", "手机", "性别", rules.date_column, "部门", "业务员", "产品名称"])
            out.writerow([name, phone.removeprefix("+86"), gender, EVENT_DAY, "个险部", "李强", PRODUCT])
        with self.db.session() as s:
            report = import_call_list(s, path, rules, today=IMPORTED_ON)
        assert report.imported == 1, report.errors
        with self.db.session() as s, s.begin():  # a supervisor approves the plan (回访计划)
            approve(s, get_plan(s, report.batch_id or 0), "主管", self.clock.now(), rules.sample_rate)
        with self.db.session() as s:
            task_id = s.scalars(select(Task.id).order_by(Task.id.desc())).first()
        assert task_id is not None
        self.tasks[name] = task_id
        return task_id

    def dial(self) -> list[PlannedCall]:
        """Run one pass of the dialler at the line's clock; return the calls it placed."""
        report = build_dialer(self.settings, self.db).tick(self.clock.now())
        return report.calls

    def settle(self, timeout: float = 240.0) -> None:
        """Wait until no call is in flight and every answered call's recordings are stored.

        Meanwhile it rings the agents escalations ask for and ends the calls a machine answered, as the
        scheduler's worker does.
        """
        deadline = time.monotonic() + timeout
        gateway = Gateway(self.settings)
        seen = -1
        while time.monotonic() < deadline:
            ring_requested_agents(self.settings, self.db, gateway)
            hang_up_machines(self.db, gateway)
            if self._calls_over():
                download_due_recordings(self.settings, self.db, gateway, now=datetime.now(NOW.tzinfo))
                # Agent legs end after the customer's call: wait until the gateway has gone quiet too.
                sent = self._webhooks_sent()
                if self._recordings_stored() and sent == seen:
                    return
                seen = sent
                time.sleep(0.5)
            time.sleep(0.2)
        raise AssertionError(f"the calls did not settle within {timeout} s")

    def _webhooks_sent(self) -> int:
        """Return how many webhooks the emulator has sent, or -1 while any of its calls is still live."""
        calls = self.emu.calls()
        if any(c["status"] not in ("completed", "busy", "no-answer", "failed", "canceled") for c in calls):
            return -1
        return sum(len(c["webhooks"]) for c in calls)

    def _calls_over(self) -> bool:
        with self.db.session() as s:
            live = s.scalar(
                select(func.count()).select_from(Attempt).where(Attempt.status.in_(IN_FLIGHT_STATUSES))
            )
            waiting = s.scalar(
                select(func.count())
                .select_from(Escalation)
                .where(Escalation.status.in_(("waiting", "ringing", "bridged")))
            )
        return not live and not waiting

    def _recordings_stored(self) -> bool:
        with self.db.session() as s:
            answered = s.scalar(
                select(func.count()).select_from(Attempt).where(Attempt.answered_at.is_not(None))
            )
            calls = s.scalar(select(func.count()).select_from(Recording).where(Recording.kind == "call"))
            bridged = s.scalar(
                select(func.count()).select_from(Escalation).where(Escalation.bridged_at.is_not(None))
            )
            legs = s.scalar(select(func.count()).select_from(Recording).where(Recording.kind == "agent_leg"))
            pending = s.scalar(
                select(func.count()).select_from(Recording).where(Recording.status == "pending")
            )
        if not self.settings.profile.call_recording:  # Somleng records neither the call nor the bridge
            answered = bridged = 0
        return (calls or 0) >= (answered or 0) and (legs or 0) >= (bridged or 0) and not pending

    def session(self) -> AbstractContextManager[Session]:
        return self.db.session()

    def attempts(self, name: str) -> list[Attempt]:
        """Return the attempts of this customer's task, detached, oldest first."""
        with self.db.session() as s:
            rows = list(
                s.scalars(select(Attempt).where(Attempt.task_id == self.tasks[name]).order_by(Attempt.id))
            )
            s.expunge_all()
            return rows

    def task(self, name: str) -> Task:
        with self.db.session() as s:
            task = s.get_one(Task, self.tasks[name])
            s.expunge_all()
            return task

    def documents(self, call_sid: str) -> list[str]:
        """Return the TwiML documents the emulator ran for a call, in order."""
        return [d["twiml"] for d in self.emu.call(call_sid)["documents"]]


@contextmanager
def open_line(
    root: Path,
    personas: str,
    speech: object,
    emulator: dict[str, Any] | None = None,
    *,
    speed: float | None = None,
    **changes: Any,
) -> Iterator[Line]:
    """Start the web app, the emulator (with these personas and `emulator` options) and a migrated SQLite
    database under root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "personas.toml").write_text(personas, encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{root / 'dialer.sqlite3'}",
        recordings_dir=root / "recordings",
        var_dir=root / "var",
        max_calls_per_second=50.0,
        max_concurrent_calls=50,
        agent_wait_seconds=40,
    ).replace(**changes)
    db = open_database(settings.database_url)
    migrate(db)
    holder = LateApp()
    server = make_server("127.0.0.1", 0, holder, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, name="call-web", daemon=True).start()
    settings = settings.replace(public_url=f"http://127.0.0.1:{server.server_port}")
    try:
        with run_emulator(
            settings,
            personas=root / "personas.toml",
            speed=speed if speed is not None else SPEED,  # read at call time: benchmarks set SPEED
            data_dir=root / "emu",
            cps=200,
            **(emulator or {}),
        ) as emu:
            emu.engine.tts.cache_dir = TTS_CACHE
            settings = settings.replace(gateway_url=emu.url)
            clock = FixedClock(NOW)
            holder.app = create_app(settings, clock=clock, speech=speech)
            yield Line(settings, db, emu, holder.app, clock, root)
    finally:
        server.shutdown()
        server.server_close()
        db.dispose()


def row_counts(db: Database) -> dict[str, int]:
    """Return the number of rows in every table."""
    from dialer.model.base import Base

    with db.session() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables
        }


def snapshot(db: Database) -> list[tuple[Any, ...]]:
    """Return what the webhooks may change: every attempt's, task's and escalation's state."""
    from dialer.model import Escalation as Esc

    with db.session() as s:
        rows: list[tuple[Any, ...]] = [
            (a.id, a.status, a.outcome, a.last_sequence, a.ended_at, a.ivr_state)
            for a in s.scalars(select(Attempt))
        ]
        rows += [(t.id, t.status, t.next_attempt_at, t.attempt_count) for t in s.scalars(select(Task))]
        rows += [(e.id, e.status, e.bridged_at, e.ended_at) for e in s.scalars(select(Esc))]
        rows += [(r.id, r.status, r.sha256) for r in s.scalars(select(Recording))]
    return rows
