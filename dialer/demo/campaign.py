"""Run a whole campaign in simulated time: the emulator, the web app and the dialler, window after window."""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, make_server

from dialer.app import create_app
from dialer.clock import FixedClock, RunningClock, utcnow
from dialer.demo.sample import CALL_LISTS, write_call_list
from dialer.emulator import run_emulator
from dialer.gateway.client import Gateway
from dialer.intake import import_call_list
from dialer.model import FINAL_STATUSES, Attempt, Database, Recording, Task, migrate, open_database
from dialer.model.batches import PlanStatus, decide
from dialer.model.outcomes import IN_FLIGHT_STATUSES
from dialer.policy.windows import next_window_start
from dialer.scheduler import build_dialer
from dialer.services import load_dial_rules
from dialer.settings import PROJECT_ROOT, Settings
from dialer.worker import download_due_recordings, hang_up_machines, ring_requested_agents

if TYPE_CHECKING:
    from dialer.speech import SpeechModel

log = logging.getLogger("dialer.demo")
START_LOCAL = datetime(2026, 11, 23, 9, 0)  # Monday 23 November 2026, 09:00 in DIALER_TIMEZONE
MAX_WINDOWS = 10
CALL_WAIT_SECONDS = 150
Say = Callable[[str], None]


WEEKDAYS = "一二三四五六日"  # 周一 … 周日, as the progress lines print them


@dataclass
class DemoPlaces:
    root: Path
    database_url: str
    recordings: Path
    web_url: str = ""
    listening: str = "record"  # how answers were heard: "stream" (dialer ear) or "record"
    dead_air: list[float] = field(default_factory=list)  # seconds of silence after each answer, in call time


def demo_settings(base: Settings, root: Path) -> Settings:
    """Settings for the demo: its own SQLite file and recordings under `root`, fast pacing."""
    return base.replace(
        database_url=f"sqlite:///{root / 'dialer.sqlite3'}",
        recordings_dir=root / "recordings",
        var_dir=root,
        max_concurrent_calls=40,
        max_calls_per_second=20.0,
        agent_wait_seconds=40,
    )


def run_campaign(
    base: Settings, root: Path, speed: float, say: Say, speech: SpeechModel | None, clip_delay: float = 0.0
) -> DemoPlaces:
    """Import the sample lists and dial them to the end in simulated time; return where things are.

    `clip_delay` makes the emulator answer 404 for each answer clip that long after its action, as Twilio may.
    """
    root = root.resolve()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    settings = demo_settings(base, root)
    db = open_database(settings.database_url)
    migrate(db)
    _import(settings, db, root, say)
    tz = settings.tz
    # Runs at the emulator's speed, so each event of a call keeps its own instant on the timeline.
    clock = RunningClock(START_LOCAL.replace(tzinfo=tz), rate=speed)
    holder = LateApp()
    with _web(holder) as port:
        settings = settings.replace(public_url=f"http://127.0.0.1:{port}")
        personas = PROJECT_ROOT / "config" / "demo_personas.toml"
        with run_emulator(
            settings,
            personas=personas,
            speed=speed,
            port=0,
            data_dir=root / "emulator",
            clip_delay=clip_delay,
        ) as emu:
            settings = settings.replace(gateway_url=emu.url)
            settings = _listening(settings, speech)
            holder.app = create_app(settings, clock=clock, speech=speech)
            with _ear(settings, db, speech, say):
                _dial_until_done(settings, db, clock, say)
            _drain_recordings(settings, db)
            gaps = [
                g for r in emu.engine.store.recordings() if r.source == "OutboundAPI" for g in _gaps(r.path)
            ]
    db.dispose()
    listening = "stream" if settings.hears_streams else "record"
    return DemoPlaces(
        root, settings.database_url, settings.recordings_dir, settings.public_url, listening, gaps
    )


def hears_live(settings: Settings, speech: bool) -> bool:
    """Return whether the demo hears answers live: with speech, where the profile has `<Start>`, unless told not."""
    return speech and settings.listen != "record" and "start" in settings.profile.media_streams


def _listening(settings: Settings, speech: SpeechModel | None) -> Settings:
    """Point the service at a `dialer ear` of the demo's own when it hears answers live."""
    if not hears_live(settings, speech is not None):
        return settings
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return settings.replace(ear_url=f"ws://127.0.0.1:{port}/stream")


@contextmanager
def _ear(settings: Settings, db: Database, speech: SpeechModel | None, say: Say) -> Iterator[None]:
    """Run the demo's `dialer ear` process while the calls are made."""
    if speech is None or not settings.hears_streams:
        yield
        return
    from dialer.ear.process import ear_process

    with ear_process(settings, speech.path, settings.var_dir / "ear.log"):
        say(f"实时听答（dialer ear）已启动：{settings.ear_url}，客户说完即进入下一题")
        yield


def _gaps(path: Path) -> list[float]:
    """Return the silence after each answer in one two-channel call recording (empty if it cannot be read)."""
    from dialer.speech.dead_air import RecordingError, dead_air

    try:
        return dead_air(path, customer_channel=1)
    except (RecordingError, OSError) as exc:
        log.warning("dead air of %s not measured: %s", path, exc)
        return []


DEMO_SUPERVISOR = "演示主管"


def _import(settings: Settings, db: Database, root: Path, say: Say) -> None:
    types = load_dial_rules(settings).types
    for type_id, rows in CALL_LISTS.items():
        path = write_call_list(root / f"{type_id}.csv", rows, types[type_id].date_column)
        with db.session() as s:
            report = import_call_list(s, path, types[type_id], today=date(2026, 11, 22))
        say(f"从 {path.name} 导入{types[type_id].name}任务 {report.imported} 条")
        if report.plan_status == PlanStatus.PENDING and report.batch_id is not None:
            with db.session() as s, s.begin():
                decide(
                    s,
                    report.batch_id,
                    "approve",
                    DEMO_SUPERVISOR,
                    utcnow(),
                    sample_rate=types[type_id].sample_rate,
                )
            say(
                f"回访计划 {report.batch_id} 由演示主管自动批准（实际使用时由主管审批：dialer batches approve "
                f"{report.batch_id}）"
            )


class LateApp:
    """A WSGI app installed after its server is listening: the app's settings need the server's port."""

    def __init__(self) -> None:
        self.app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "the demo app is not installed yet"
        return self.app(environ, start_response)


@contextmanager
def _web(holder: LateApp) -> Iterator[int]:
    """Listen on a free port in a thread; yield the port."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, holder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-web", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


def _dial_until_done(settings: Settings, db: Database, clock: FixedClock, say: Say) -> None:
    dialer = build_dialer(settings, db)
    rules, gateway = dialer.rules, dialer.gateway
    assert gateway is not None
    for _ in range(MAX_WINDOWS):
        if _open_tasks(db) == 0:
            return
        opening = next_window_start(clock.now(), rules.windows, settings.timezone, rules.calendar)
        if opening is None:
            say("日历中已没有可拨打的时段，演示结束")
            return
        clock.set(opening + timedelta(minutes=1))
        report = dialer.tick(clock.now())
        local = clock.now().astimezone(settings.tz)
        say(f"{local:%m-%d %H:%M}（周{WEEKDAYS[local.weekday()]}）拨出 {len(report.calls)} 通电话")
        _wait_for_calls(settings, db, gateway)
        download_due_recordings(settings, db, gateway)
        clock.set(opening + timedelta(hours=2, minutes=1))  # past this window: the next tick is the next one


def _open_tasks(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task).where(Task.status.not_in(FINAL_STATUSES))) or 0


def _wait_for_calls(settings: Settings, db: Database, gateway: Gateway) -> None:
    """Wait for the window's calls to end, ringing the agents escalations ask for as the scheduler does."""
    deadline = time.monotonic() + CALL_WAIT_SECONDS
    while time.monotonic() < deadline:
        ring_requested_agents(settings, db, gateway)
        hang_up_machines(db, gateway)
        with db.session() as s:
            live = s.scalar(
                select(func.count()).select_from(Attempt).where(Attempt.status.in_(IN_FLIGHT_STATUSES))
            )
        if not live:
            return
        time.sleep(0.5)
    log.warning("some calls were still going after %s s", CALL_WAIT_SECONDS)


def _drain_recordings(settings: Settings, db: Database) -> None:
    gateway = Gateway(settings)
    for _ in range(20):
        download_due_recordings(settings, db, gateway, now=datetime.now(UTC) + timedelta(hours=2))
        with db.session() as s:
            pending = s.scalar(
                select(func.count()).select_from(Recording).where(Recording.status == "pending")
            )
        if not pending:
            return
        time.sleep(0.5)
