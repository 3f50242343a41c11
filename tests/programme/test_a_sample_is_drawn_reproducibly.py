"""一般服务 plans are sampled at 80%: a random selection, seeded by the plan and recorded, the same on every
draw; the rest are closed as not_sampled and counted apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.model import Database, Task, TaskStatus, migrate, open_database
from dialer.model.batches import choose_sample
from tests.programme.helpers import call_list, cli, cli_json, people


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def not_sampled_rows(url: str) -> list[int]:
    db = open_database(url)
    with db.session() as s:
        rows = s.scalars(
            select(Task.source_row).where(Task.status == TaskStatus.NOT_SAMPLED).order_by(Task.id)
        )
        found = [r for r in rows if r is not None]
    db.dispose()
    return found


def sample_200(url: str, tmp_path: Path) -> list[int]:
    f = call_list(tmp_path / "service.csv", "服务日期", people(200))
    plan = cli_json(["import", str(f), "--type", "general_service"], url, tmp_path)["batch_id"]
    out = cli(["batches", "approve", str(plan)], url, tmp_path).output
    assert "抽样未选中 40 条" in out
    return not_sampled_rows(url)


def test_200_general_service_rows_leave_40_not_sampled_the_same_40_each_time(
    url: str, tmp_path: Path, database_url: str
) -> None:
    first = sample_200(url, tmp_path)
    assert len(first) == 40 and len(set(first)) == 40
    shown = cli_json(["batches", "show", "1"], url, tmp_path)
    assert shown["not_sampled"] == 40 and shown["task_statuses"] == {"pending": 160, "not_sampled": 40}
    assert shown["sample_rate"] == 0.8 and shown["sample_seed"].startswith("1:")
    listed = cli_json(["tasks", "--status", "not_sampled", "--limit", "500"], url, tmp_path)
    assert len(listed) == 40
    # The same plan drawn again, in a second database, leaves out the same rows.
    again = tmp_path / "again"
    again.mkdir()
    other = f"sqlite:///{again / 'dialer.sqlite3'}"
    migrate(open_database(other))
    assert sample_200(other, again) == first


def test_the_draw_depends_only_on_the_seed() -> None:
    rows = list(range(2, 202))
    assert choose_sample("7:abc", rows, 0.8) == choose_sample("7:abc", list(reversed(rows)), 0.8)
    assert choose_sample("7:abc", rows, 0.8) != choose_sample("8:abc", rows, 0.8)
    assert len(choose_sample("7:abc", rows, 0.8)) == 160


def test_a_fully_covered_type_is_not_sampled(url: str, tmp_path: Path) -> None:
    f = call_list(tmp_path / "claims.csv", "结案日期", people(20))
    plan = cli_json(["import", str(f), "--type", "claim"], url, tmp_path)["batch_id"]
    cli(["batches", "approve", str(plan)], url, tmp_path)
    assert not_sampled_rows(url) == []
