"""`dialer report --month`: a malformed month is refused naming the form, an empty month says so, filing is for good."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from sqlalchemy import select

from dialer.cli import main
from dialer.model import AuditEntry, Customer, Database, FiledReport, Task, TaskStatus
from tests.reports.golden import SH, Golden


def report(database: Database, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"DIALER_DATABASE_URL": database.url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(main, ["report", *args], env=env)
    return result.exit_code, result.output


def as_json(database: Database, tmp_path: Path, *args: str) -> dict[str, Any]:
    code, out = report(database, tmp_path, *args, "--json")
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_malformed_month_is_refused_with_the_expected_form(db: Database, tmp_path: Path) -> None:
    for bad in ("2026-13", "2026/11", "11-2026", "2026-1", "next month"):
        code, out = report(db, tmp_path, "--month", bad)
        assert code == 1 and "请写成 年-月 的形式" in out and "例如 2026-11" in out, (bad, out)
    code, out = report(db, tmp_path, "--month", "2026-11", "--type", "nope")
    assert code == 1 and "没有任务类型“nope”" in out and "new_policy" in out
    code, out = report(db, tmp_path, "--month", "2026-11", "--day", "2026-11-03")
    assert code == 1 and "只能选一个" in out


def test_a_month_without_tasks_is_an_empty_report_not_an_error(db: Database, tmp_path: Path) -> None:
    r = as_json(db, tmp_path, "--month", "2026-02")
    assert r["empty"] is True and r["total"]["tasks"] == 0 and r["by_type"] == []
    assert r["message"] == "2026年2月没有应回访的任务：本月报告为空。"
    assert r["total"]["success_rate"] is None  # no denominator: no rate, not a division error
    code, out = report(db, tmp_path, "--month", "2026-02", "--xlsx", str(tmp_path / "empty.xlsx"))
    assert code == 0 and "没有应回访的任务" in out
    wb = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert wb["按任务类型"]["A2"].value == "本月没有数据。"


def test_a_filed_month_answers_with_its_snapshot(db: Database, golden: Golden, tmp_path: Path) -> None:
    code, out = report(db, tmp_path, "--month", "2026-11", "--file")
    assert code == 1 and "须注明归档人" in out
    text = tmp_path / "analysis.txt"
    text.write_text("十一月回访总体平稳，问题件已督办。", encoding="utf-8")
    filed = as_json(db, tmp_path, "--month", "2026-11", "--file", "--by", "赵主管", "--analysis", str(text))
    assert filed["filed"]["version"] == 1 and filed["analysis"] == "十一月回访总体平稳，问题件已督办。"
    with db.session() as s, s.begin():  # data arrives after filing
        t = datetime(2026, 11, 20, 10, tzinfo=SH)
        s.add(Task(customer=Customer(name="迟到", phone="+8613900088888"), type="claim", script="claim",
                   event_at=t, earliest_at=t, status=TaskStatus.SUCCEEDED, closed_at=t))  # fmt: skip
    again = as_json(db, tmp_path, "--month", "2026-11", "--xlsx", str(tmp_path / "filed.xlsx"))
    assert again["total"]["tasks"] == 9 and again["filed"]["sha256"] == filed["filed"]["sha256"]
    assert hashlib.sha256((tmp_path / "filed.xlsx").read_bytes()).hexdigest() == filed["filed"]["sha256"]
    code, out = report(db, tmp_path, "--month", "2026-11", "--file", "--by", "赵主管")
    assert code == 1 and "请写明理由" in out
    refiled = as_json(
        db, tmp_path, "--month", "2026-11", "--file", "--by", "赵主管", "--reason", "补录迟到名单"
    )
    assert refiled["filed"]["version"] == 2 and refiled["total"]["tasks"] == 10
    with db.session() as s:
        assert s.scalar(select(FiledReport.figures).where(FiledReport.version == 1))["total"]["tasks"] == 9
        audit = [(a.action, a.actor, a.detail.get("reason")) for a in s.scalars(select(AuditEntry))]
    assert audit == [("report_file", "赵主管", None), ("report_refile", "赵主管", "补录迟到名单")]
    live_filter = as_json(db, tmp_path, "--month", "2026-11", "--type", "claim")
    assert live_filter["filed"] is None and live_filter["total"]["tasks"] == 5  # a scope not filed: live
