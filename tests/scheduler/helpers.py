"""Builders shared by the scheduler tests: due tasks, the service's webhooks on a port, the console script."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from werkzeug.serving import make_server

from dialer.model import Attempt, Customer, Database, OptOut, Task, TaskStatus
from dialer.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, a working day, half an hour into the morning window.
AT = datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)
EVENT = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
DIALER = str(Path(sys.executable).parent / "dialer")
TERMINAL = {"completed", "busy", "failed", "no-answer", "canceled"}


def phones(prefix: str, n: int) -> list[str]:
    """Return n distinct E.164 numbers starting with `prefix` (e.g. "+86137")."""
    width = 14 - len(prefix)
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def seed_tasks(
    db: Database, numbers: Sequence[str], task_type: str = "claim", *, earliest: datetime = EVENT,
    deadline: timedelta | None = timedelta(days=3),
) -> list[int]:  # fmt: skip
    """Insert one due, pending task per number (bulk, in one transaction); return the task ids in order."""
    with db.session() as s, s.begin():
        conn = s.connection()
        rows = [{"name": f"客户{i}", "phone": p, "timezone": "Asia/Shanghai", "legal_hold": False,
                 "created_at": datetime.now(UTC)} for i, p in enumerate(numbers)]  # fmt: skip
        ids = list(
            conn.execute(
                insert(Customer).returning(Customer.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        tasks = [{"customer_id": cid, "type": task_type, "script": task_type, "event_at": EVENT,
                  "earliest_at": earliest, "deadline_at": None if deadline is None else EVENT + deadline,
                  "status": TaskStatus.PENDING, "attempt_count": 0, "next_attempt_at": earliest,
                  "manual_followup": False, "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
                 for cid in ids]  # fmt: skip
        return list(
            conn.execute(insert(Task).returning(Task.id, sort_by_parameter_order=True), tasks).scalars()
        )


def opt_out(db: Database, phone: str) -> None:
    with db.session() as s, s.begin():
        s.add(OptOut(phone=phone, task_type=None, reason="asked not to be called"))


def attempts_of(db: Database) -> list[Attempt]:
    with db.session() as s:
        return list(s.scalars(select(Attempt).order_by(Attempt.task_id, Attempt.number)))


def tasks_by_id(db: Database) -> dict[int, Task]:
    with db.session() as s:
        return {t.id: t for t in s.scalars(select(Task))}


def count_attempts(db: Database, *where: Any) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Attempt).where(*where)) or 0


@contextmanager
def serve_app(settings: Settings) -> Iterator[Settings]:
    """Serve the service's Flask app on a free port; yield the settings whose public URL points at it."""
    from dialer.app import create_app

    holder: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True)
    served = settings.replace(public_url=f"http://127.0.0.1:{server.port}")
    holder["app"] = create_app(served)
    thread = threading.Thread(target=server.serve_forever, name="service-http", daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        holder["app"].extensions["dialer"].db.dispose()


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Return an environment that makes the console script use these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALER_", "TWILIO_"))}
    env.update({
        "DIALER_DATABASE_URL": settings.database_url, "DIALER_GATEWAY_URL": settings.gateway_url,
        "DIALER_PUBLIC_URL": settings.public_url, "DIALER_VAR_DIR": str(settings.var_dir),
        "DIALER_RECORDINGS_DIR": str(settings.recordings_dir),
        # Room for every call these tests place, whatever the shipped default (sized for a new account).
        "DIALER_MAX_CONCURRENT_CALLS": "10",
    })  # fmt: skip
    env.update(extra)
    return env


def run_dialer(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the `dialer` console script as its own process."""
    return subprocess.run(
        [DIALER, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_for(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll until `check()` is truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not met within {timeout} s")
