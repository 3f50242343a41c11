"""`dialer purge` deletes what is past retention, changes nothing with --dry-run, and skips legal holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select

from dialer.cli import main
from dialer.clock import utcnow
from dialer.model import AuditEntry, Customer, Database, Recording, Task
from dialer.services import services
from tests.web.seed import seed


def _purge(app: Flask, *args: str) -> Result:
    s = services(app).settings
    env = {"DIALER_DATABASE_URL": s.database_url, "DIALER_RECORDINGS_DIR": str(s.recordings_dir)}
    return CliRunner().invoke(main, ["purge", *args], env=env, catch_exceptions=False)


def _close_task(database: Database, task_id: int, closed_at: datetime, hold: bool = False) -> None:
    with database.session() as s, s.begin():
        t = s.get_one(Task, task_id)
        t.closed_at = closed_at
        t.customer.legal_hold = hold


def _files(app: Flask) -> set[str]:
    root = services(app).settings.recordings_dir
    return {str(p.relative_to(root)) for p in root.rglob("*.wav")}


def test_dry_run_reports_and_changes_nothing(app: Flask, database: Database) -> None:
    old = seed(database, services(app).settings.recordings_dir)
    _close_task(database, old.task, utcnow() - timedelta(days=3651))  # new_policy keeps 3650 days
    before = _files(app)
    result = _purge(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "将清理 1 个任务：录音 2 条，文件 2 个，客户 1 位" in result.output
    assert _files(app) == before
    with database.session() as s:
        assert s.get_one(Customer, old.customer).name == "张三"
        assert not list(s.scalars(select(AuditEntry).where(AuditEntry.action == "purge")))


def test_a_real_purge_deletes_expired_data_and_keeps_the_rest(app: Flask, database: Database) -> None:
    root = services(app).settings.recordings_dir
    expired = seed(database, root, name="张三", phone="+8613812341234")
    held = seed(database, root, name="李四", phone="+8613912345678")
    fresh = seed(database, root, name="王五", phone="+8613700001111")
    _close_task(database, expired.task, utcnow() - timedelta(days=4000))
    _close_task(database, held.task, utcnow() - timedelta(days=4000), hold=True)
    _close_task(database, fresh.task, utcnow() - timedelta(days=10))
    result = _purge(app)
    assert result.exit_code == 0, result.output
    assert "已清理 1 个任务" in result.output and "法律保留" in result.output
    assert _files(app) == {f"{held.attempt}/call.wav", f"{held.attempt}/q3.wav", f"{fresh.attempt}/call.wav",
                           f"{fresh.attempt}/q3.wav"}  # fmt: skip
    with database.session() as s:
        assert s.get_one(Customer, expired.customer).name == "（已清理）"
        assert s.get_one(Customer, expired.customer).phone.startswith("purged-")
        assert s.get_one(Customer, held.customer).name == "李四"
        assert s.get_one(Recording, expired.call_recording).status == "purged"
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
        assert logged.target == f"task:{expired.task}"
        assert sorted(logged.detail["recordings"]) == sorted([expired.call_recording, expired.clip])
    assert not Path(root / f"{expired.attempt}/call.wav").exists()
