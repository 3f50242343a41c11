"""`dialer doctor` names a task type whose running plans will miss its coverage target (回访率)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from dialer.model import Database, Task, TaskStatus, open_database
from tests.foundation.helpers import run_cli
from tests.programme.helpers import call_list, cli, cli_json, people


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def doctor_row(url: str, tmp_path: Path) -> str:
    out = run_cli(["doctor"], url, tmp_path).output
    return next(line for line in out.splitlines() if "回访率目标" in line)


def test_doctor_flags_a_type_that_will_miss_its_target(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    f = call_list(tmp_path / "repairs.csv", "完工日期", people(20))
    plan = cli_json(["import", str(f), "--type", "repair"], url, tmp_path)["batch_id"]
    cli(["batches", "approve", str(plan)], url, tmp_path)
    assert "正常" in doctor_row(url, tmp_path)
    db = open_database(url)
    with db.session() as s, s.begin():
        ids = list(s.scalars(select(Task.id).order_by(Task.id).limit(2)))
        s.execute(update(Task).where(Task.id.in_(ids)).values(status=TaskStatus.UNREACHABLE))
    db.dispose()
    row = doctor_row(url, tmp_path)  # 维修 needs 95%: with 2 of 20 lost, 90% at best
    assert "有问题" in row and "维修回访" in row and "最多只能达到 90%" in row and "95%" in row
