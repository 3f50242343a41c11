"""From 1 November an admin is told that next year has no holiday data; they enter 2027's holidays and 调休 working
days on the calendar page, the banner goes, the entry is audited, and the dialler obeys: `dialer tick --dry-run
--at <a 2027 holiday>` plans nothing, a 调休 Sunday and an ordinary Monday plan the due task."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.model import AuditEntry, Customer, Database, Task, TaskStatus, migrate
from dialer.services import services
from dialer.settings import PROJECT_ROOT, Settings
from tests.browser.conftest import Shots, Site, sign_in
from tests.scheduler.helpers import cli_env, run_dialer
from tests.web.seed import PASSWORD, PERSONAS, add_personas

NOVEMBER = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai: next year's data is due
HOLIDAYS = "2027-01-01 元旦\n2027-02-10 至 2027-02-16 春节\n2027-10-01 至 2027-10-07 国庆节"
WORKDAYS = "2027-02-07 春节调休\n2027-02-20 春节调休"


@pytest.fixture
def november_site(tmp_path: Path) -> Iterator[tuple[Site, Settings]]:
    """The app on 25 November 2026 with its own copy of the config folder, and one claim due all winter."""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config, ignore=shutil.ignore_patterns("holidays.console.toml"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'dialer.sqlite3'}", recordings_dir=tmp_path / "rec",
                        var_dir=tmp_path / "var", scripts_dir=PROJECT_ROOT / "ivr_scripts", config_dir=config,
                        secret_key="browser-test")  # fmt: skip
    app = create_app(settings, clock=FixedClock(NOVEMBER))
    db = services(app).db
    migrate(db)
    add_personas(db)
    due(db)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", db, None, tmp_path), settings  # type: ignore[arg-type]
    finally:
        server.shutdown()
        thread.join(5)
        db.dispose()


def due(db: Database) -> None:
    start = datetime(2026, 12, 31, 0, 0, tzinfo=UTC)
    with db.session() as s, s.begin():
        s.add(Task(customer=Customer(name="孙丽", phone="+8613812340001"), type="claim", script="claim",
                   event_at=start, earliest_at=start, next_attempt_at=start, status=TaskStatus.PENDING,
                   deadline_at=start + timedelta(days=365)))  # fmt: skip


def planned(settings: Settings, at: str) -> list[dict]:
    done = run_dialer(["tick", "--dry-run", "--at", at, "--json"],
                      cli_env(settings, DIALER_CONFIG_DIR=str(settings.config_dir)))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["calls"]


def test_an_admin_enters_2027_and_the_dialler_obeys(
    november_site: tuple[Site, Settings], page: object, shots: Shots
) -> None:
    site, settings = november_site
    assert planned(settings, "2027-01-04T10:30:00+08:00") == []  # no data for 2027 yet: nothing at all
    sign_in(page, site, PERSONAS["admin"][0], PASSWORD)
    banner = page.locator("#calendar-banner")  # type: ignore[attr-defined]
    assert "2027 年的节假日数据还没有" in banner.inner_text()
    shots(page, "banner")
    banner.locator("a").click()
    assert "2027 年还没有任何节假日数据" in page.inner_text("#year-status")  # type: ignore[attr-defined]
    page.fill("#holidays", "2027-13-01 错误的日期")  # type: ignore[attr-defined]
    page.click("#save-calendar")  # type: ignore[attr-defined]
    assert "未保存：假日第 1 行" in page.inner_text("main")  # type: ignore[attr-defined]
    page.fill("#holidays", HOLIDAYS)  # type: ignore[attr-defined]
    page.fill("#workdays", WORKDAYS)  # type: ignore[attr-defined]
    page.click("#save-calendar")  # type: ignore[attr-defined]
    text = page.inner_text("main")  # type: ignore[attr-defined]
    assert "已保存 2027 年的节假日：假日 15 天，调休上班日 2 天" in text
    assert page.locator("#calendar-banner").count() == 0  # type: ignore[attr-defined]
    assert "春节" in page.inner_text("#entered-days")  # type: ignore[attr-defined]
    shots(page, "calendar-saved")

    assert planned(settings, "2027-01-01T10:30:00+08:00") == []  # 元旦, a Friday
    assert planned(settings, "2027-02-11T10:30:00+08:00") == []  # 春节, a Thursday
    assert planned(settings, "2027-01-09T10:30:00+08:00") == []  # an ordinary Saturday
    assert [c["to"] for c in planned(settings, "2027-02-07T10:30:00+08:00")] == [
        "+8613812340001"
    ]  # 调休 Sunday
    assert [c["to"] for c in planned(settings, "2027-01-04T10:30:00+08:00")] == ["+8613812340001"]  # a Monday
    with site.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "calendar_update")).one()
    assert entry.actor == "admin" and entry.detail == {"holidays": 15, "workdays": 2}
