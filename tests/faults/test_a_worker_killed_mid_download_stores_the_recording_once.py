"""The recording worker is killed (SIGKILL) mid-download, or with the file written but not yet noted, then run
again: the recording ends stored once — one row, one file whose SHA-256 is the row's, no half-written file.

The gateway is a small WSGI app on 127.0.0.1 that sends half of the WAV and then stalls until told to go on.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.wrappers import Request, Response

from dialer.model import Attempt, Customer, Database, Recording, Task, TaskStatus
from dialer.settings import Settings
from tests.faults.harness import python_module, report
from tests.scheduler.helpers import cli_env
from tests.serving import serving
from tests.worker.conftest import SID, two_channel_wav

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@dataclass
class StallingGateway:
    """Serves the recording; while `stall` is set, sends half of it and waits for `go`."""

    media: bytes = field(default_factory=lambda: two_channel_wav(seconds=4.0))
    stall: bool = True
    half_sent: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    gets: int = 0

    def __call__(self, environ: dict, start_response: object) -> object:
        return self.app(environ, start_response)  # type: ignore[arg-type]

    @Request.application
    def app(self, request: Request) -> Response:
        self.gets += 1
        if not self.stall:
            return Response(self.media, mimetype="audio/x-wav")
        half = len(self.media) // 2

        def body() -> Iterator[bytes]:
            yield self.media[:half]
            self.half_sent.set()
            self.go.wait(30)
            yield self.media[half:]

        headers = {"Content-Length": str(len(self.media))}
        return Response(body(), mimetype="audio/x-wav", headers=headers, direct_passthrough=True)


@pytest.fixture
def gateway() -> Iterator[tuple[StallingGateway, str]]:
    gw = StallingGateway()
    with serving(gw) as url:
        yield gw, url
        gw.go.set()


@pytest.fixture
def pending(
    db: Database, settings: Settings, gateway: tuple[StallingGateway, str]
) -> tuple[dict[str, str], int]:
    """A finished call whose recording was noted by its callback and waits for the worker."""
    url = gateway[1]
    with db.session() as s, s.begin():
        task = Task(customer=Customer(name="张伟", phone="+8613812345678"), type="claim", script="claim",
                    event_at=NOW, earliest_at=NOW, status=TaskStatus.SUCCEEDED)  # fmt: skip
        attempt = Attempt(task=task, number=1, status="completed", to_number="+8613812345678", script="claim")
        rec = Recording(kind="call", gateway_sid=SID, status="pending",
                        gateway_url=f"{url}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}")  # fmt: skip
        attempt.recordings.append(rec)
        s.add_all([task, attempt])
        s.flush()
        rid = rec.id
    return cli_env(settings.replace(gateway_url=url)), rid


def _kill_when(env: dict[str, str], stage: str, ready: threading.Event | None) -> None:
    proc = python_module("tests.faults.crashing_worker", stage, env=env)
    try:
        if ready is not None:
            assert ready.wait(60), "the worker never asked for the recording"
        else:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith(f"STOPPED {stage}"), line + (proc.stderr.read() if proc.stderr else "")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("stage", ["mid-download", "written"])
def test_a_killed_worker_run_again_stores_the_recording_once(
    db: Database, settings: Settings, gateway: tuple[StallingGateway, str], pending: tuple[dict[str, str], int],
    stage: str,
) -> None:  # fmt: skip
    env, rid = pending
    fake = gateway[0]
    fake.stall = stage == "mid-download"
    _kill_when(env, stage, fake.half_sent if fake.stall else None)
    with db.session() as s:
        assert s.get_one(Recording, rid).status == "pending"  # the killed pass noted nothing
    fake.stall = False
    fake.go.set()

    again = python_module("tests.faults.crashing_worker", env=env)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0 and "STORED 1" in out, err
    rerun = python_module("tests.faults.crashing_worker", env=env)
    assert "STORED 0" in rerun.communicate(timeout=120)[0]  # stored is stored: not fetched a third time

    with db.session() as s:
        rec = s.get_one(Recording, rid)
        rows = s.scalar(select(func.count()).select_from(Recording)) or 0
    files = _files(settings.recordings_dir)
    assert rows == 1 and rec.status == "stored" and rec.last_error is None
    assert files == [settings.recordings_dir / (rec.path or "")], files  # one file; no `.part` left behind
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == rec.sha256
    assert rec.original_sha256 == hashlib.sha256(fake.media).hexdigest()
    assert fake.gets == 2  # the killed try and the one that stored it
    backend = "PostgreSQL" if db.is_postgres else "SQLite"
    report(f"[worker killed {stage}, {backend}] recordings 1: stored {rows}, files {len(files)}, lost 0, "
           f"gateway GETs {fake.gets}")  # fmt: skip
