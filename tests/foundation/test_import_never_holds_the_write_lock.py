"""On SQLite an import writes in short transactions: between chunks any other writer gets the lock at once, a
dry run never takes it, and an import that fails part-way leaves nothing of itself behind."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialer.intake import import_call_list
from dialer.model import Customer, ImportBatch, Task, migrate, open_database
from dialer.model.batches import PlanStatus
from dialer.policy.rules import TaskTypeRules
from tests.foundation.helpers import write_csv

ROWS = 5000  # a few chunks
CLAIM = TaskTypeRules(id="claim", name="理赔回访", script="claim", date_column="结案日期")


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "dialer.sqlite3"
    db = open_database(f"sqlite:///{path}")
    migrate(db)
    db.dispose()
    return path


def big_list(tmp_path: Path) -> Path:
    lines = ["姓名,手机,结案日期"] + [f"客户{i},138{i:08d},2026-11-20" for i in range(ROWS)]
    return write_csv(tmp_path / "list.csv", lines)


class OtherWriter:
    """Another process's writer (a webhook, the scheduler) that will not wait for the lock at all."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.writes: list[str] = []

    def write(self, done: int, total: int) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("UPDATE dial_pacer SET id = id WHERE id = 1")
            self.conn.execute("COMMIT")
            self.writes.append("ok")
        except sqlite3.OperationalError as exc:
            self.writes.append(str(exc))


def test_other_writers_get_the_lock_between_chunks(sqlite_file: Path, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{sqlite_file}")
    other = OtherWriter(sqlite_file)
    with db.session() as s:
        report = import_call_list(
            s, big_list(tmp_path), CLAIM, today=date(2026, 11, 25), progress=other.write
        )
    assert report.committed and report.imported == ROWS
    assert len(other.writes) >= 4  # while reading and between the chunks written
    assert set(other.writes) == {"ok"}, other.writes
    db.dispose()


def test_a_dry_run_never_takes_the_write_lock_and_stores_nothing(sqlite_file: Path, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{sqlite_file}")
    other = OtherWriter(sqlite_file)
    with db.session() as s:
        report = import_call_list(
            s, big_list(tmp_path), CLAIM, today=date(2026, 11, 25), dry_run=True, progress=other.write
        )
    assert report.imported == ROWS and not report.committed
    assert set(other.writes) == {"ok"}, other.writes
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    db.dispose()


def test_an_import_that_fails_part_way_leaves_nothing_behind(sqlite_file: Path, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{sqlite_file}")
    calls: list[int] = []

    def fail_after_two_chunks(done: int, total: int) -> None:
        calls.append(done)
        if done > total // 2 + 2000:  # two chunks are committed by now
            raise RuntimeError("disk full")

    with db.session() as s, pytest.raises(RuntimeError):
        import_call_list(
            s, big_list(tmp_path), CLAIM, today=date(2026, 11, 25), progress=fail_after_two_chunks
        )
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
        assert s.scalar(select(ImportBatch.status)) == PlanStatus.FAILED
    db.dispose()
