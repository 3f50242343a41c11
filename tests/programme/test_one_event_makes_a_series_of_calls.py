"""Repeating follow-ups: a discharge makes three calls, 特约服务 two (mid-contract and after), a new employee
two; a lead is called again by its grade after each call until an agent closes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.model import Attempt, AttemptOutcome, Database, Task, TaskStatus, open_database
from dialer.model.outcomes import settle_task
from dialer.model.series import close_lead, schedule_next_call
from dialer.services import load_dial_rules
from dialer.settings import PROJECT_ROOT, Settings
from dialer.tasktypes import load_task_types
from tests.programme.helpers import call_list, cli, cli_json, people

SHANGHAI = timedelta(hours=8)


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def tasks_of(url: str) -> list[Task]:
    db = open_database(url)
    with db.session() as s:
        found = list(s.scalars(select(Task).order_by(Task.source_row, Task.series_step)))
    db.dispose()
    return found


def local_day(dt: datetime | None) -> str:
    assert dt is not None
    return (dt + SHANGHAI).strftime("%Y-%m-%d")


def test_ten_discharges_make_thirty_calls_a_week_a_month_and_three_months_after(
    url: str, tmp_path: Path
) -> None:
    f = call_list(tmp_path / "discharge.csv", "出院日期", people(10, "2026-11-02"))
    report = cli_json(["import", str(f), "--type", "discharge"], url, tmp_path)
    assert (report["rows_imported"], report["imported"]) == (10, 30)
    tasks = tasks_of(url)
    assert len(tasks) == 30
    first = [t for t in tasks if t.source_row == 2]
    assert [(t.series_step, t.series_total) for t in first] == [(1, 3), (2, 3), (3, 3)]
    assert [local_day(t.earliest_at) for t in first] == ["2026-11-09", "2026-12-02", "2027-01-31"]
    assert [local_day(t.deadline_at) for t in first] == ["2026-11-16", "2026-12-09", "2027-02-07"]
    assert all(t.next_attempt_at == t.earliest_at for t in tasks)
    listed = cli_json(["tasks", "--limit", "3"], url, tmp_path)
    assert listed[0]["series"] == "1/3"


def test_importing_the_discharges_again_adds_nothing(url: str, tmp_path: Path) -> None:
    f = call_list(tmp_path / "discharge.csv", "出院日期", people(10, "2026-11-02"))
    cli(["import", str(f), "--type", "discharge"], url, tmp_path)
    again = cli_json(["import", str(f), "--type", "discharge"], url, tmp_path)
    assert (again["imported"], again["duplicates"]) == (0, 10)


def test_one_new_employee_list_makes_both_calls(url: str, tmp_path: Path) -> None:
    f = call_list(tmp_path / "hires.csv", "入职日期", people(1, "2026-11-02"))
    cli(["import", str(f), "--type", "new_employee"], url, tmp_path)
    assert [(local_day(t.earliest_at), local_day(t.deadline_at)) for t in tasks_of(url)] == [
        ("2026-11-23", "2026-11-30"), ("2027-01-01", "2027-01-08"),
    ]  # fmt: skip


def test_special_service_is_called_mid_contract_and_after_it_ends(url: str, tmp_path: Path) -> None:
    rows = [("张三", "13812345678", "2026-01-01", "2026-12-31")]
    f = call_list(tmp_path / "special.csv", "服务日期", rows, ("合同到期日",))
    cli(["import", str(f), "--type", "special_service"], url, tmp_path)
    assert [local_day(t.earliest_at) for t in tasks_of(url)] == ["2026-07-02", "2026-12-31"]


def test_special_service_without_a_contract_end_names_the_row(url: str, tmp_path: Path) -> None:
    f = call_list(tmp_path / "special.csv", "服务日期", [("张三", "13812345678", "2026-01-01")])
    result = cli(["import", str(f), "--type", "special_service", "--json"], url, tmp_path, code=2)
    assert "合同到期日" in result.output and '"row": 2' in result.output


def test_a_lead_is_called_again_by_its_grade_after_each_call_until_closed(url: str, tmp_path: Path) -> None:
    rows = [("甲", "13800000001", "2026-11-02", "A"), ("乙", "13800000002", "2026-11-02", "c"),
            ("丙", "13800000003", "2026-11-02", "")]  # fmt: skip
    f = call_list(tmp_path / "leads.csv", "来访日期", rows, ("客户等级",))
    cli(["import", str(f), "--type", "lead"], url, tmp_path)
    tasks = tasks_of(url)
    assert [(t.grade, local_day(t.deadline_at)) for t in tasks] == [
        ("A", "2026-11-05"), ("C", "2026-11-12"), (None, "2026-11-05"),
    ]  # fmt: skip
    rules = load_task_types(PROJECT_ROOT / "config")["lead"]
    called = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
    db = open_database(url)
    with db.session() as s, s.begin():
        lead_c = s.get(Task, tasks[1].id)
        assert lead_c is not None
        assert schedule_next_call(s, lead_c, rules, called) is None  # not called yet: nothing to follow
        lead_c.status = TaskStatus.SUCCEEDED
        nxt = schedule_next_call(s, lead_c, rules, called)
        assert nxt is not None and nxt.series_step == 2 and nxt.earliest_at == called + timedelta(days=10)
        assert schedule_next_call(s, lead_c, rules, called) is None  # once per call
        assert close_lead(s, lead_c, called) == 1
    with db.session() as s:
        closed = s.get(Task, nxt.id)
        assert closed is not None and closed.status == TaskStatus.CANCELLED
    db.dispose()


def test_settling_a_leads_call_dates_its_next_call_by_grade(url: str, tmp_path: Path) -> None:
    f = call_list(
        tmp_path / "leads.csv", "来访日期", [("乙", "13800000002", "2026-11-02", "B")], ("客户等级",)
    )
    cli(["import", str(f), "--type", "lead"], url, tmp_path)
    (task,) = tasks_of(url)
    rules = load_dial_rules(Settings(database_url=url, var_dir=tmp_path / "var"))
    called = datetime(2026, 11, 4, 2, 30, tzinfo=UTC)  # Wednesday 10:30 in Shanghai
    db = open_database(url)
    with db.session() as s, s.begin():
        lead = s.get(Task, task.id)
        assert lead is not None
        s.add(Attempt(task_id=lead.id, number=1, status="completed", outcome=AttemptOutcome.SUCCEEDED,
                      to_number="+8613800000002", script=lead.script, placed_at=called, answered_at=called,
                      ended_at=called))  # fmt: skip
        s.flush()
        s.refresh(lead)
        settle_task(s, lead, rules, called)
        assert lead.status == TaskStatus.SUCCEEDED
        settle_task(s, lead, rules, called)  # settled twice (a retried callback): still one next call
    after = tasks_of(url)
    assert [(t.series_step, t.status, t.earliest_at) for t in after] == [
        (1, TaskStatus.SUCCEEDED, task.earliest_at),
        (2, TaskStatus.PENDING, called + timedelta(days=7)),
    ]
    db.dispose()


def test_an_unknown_grade_is_the_rows_error(url: str, tmp_path: Path) -> None:
    f = call_list(
        tmp_path / "leads.csv", "来访日期", [("甲", "13800000001", "2026-11-02", "Z")], ("客户等级",)
    )
    result = cli(["import", str(f), "--type", "lead"], url, tmp_path, code=2)
    assert "客户等级 'Z' 无法识别" in result.output
