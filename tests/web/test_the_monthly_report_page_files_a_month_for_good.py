"""The monthly report page: figures with drill-down, bad months, export, and filing a month that then never changes."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import AuditEntry, Customer, Database, FiledReport, Task, TaskStatus
from tests.reports.golden import SH, seed_golden
from tests.web.seed import add_personas, get, post, sign_in

NOV = "/report?month=2026-11"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _seed(database: Database) -> None:
    add_personas(database)
    seed_golden(database)


def _add_late_task(database: Database) -> None:
    """A task that turns up in November after the month was filed (e.g. a late import)."""
    with database.session() as s, s.begin():
        when = datetime(2026, 11, 15, 10, tzinfo=SH)
        s.add(Task(customer=Customer(name="迟到", phone="+8613900099999"), type="claim", script="claim",
                   event_at=when, earliest_at=when, status=TaskStatus.SUCCEEDED, closed_at=when))  # fmt: skip


def test_a_supervisor_reads_the_figures_and_drills_down(client: FlaskClient, database: Database) -> None:
    _seed(database)
    sign_in(client, "supervisor")
    html = get(client, NOV).get_data(as_text=True)
    assert "回访统计分析报告 · 2026年11月" in html and 'id="chart-types"' in html
    assert "vendor/echarts/echarts.common.min.js" in html  # served by the app itself
    row = re.search(r'<table class="grid report-table" id="by-type">.*?</table>', html, re.S)
    assert row and "理赔回访" in row.group(0)
    assert "口径说明" in html and "应回访件数：首次允许拨打日期" in html
    link = re.search(r'href="(/report/tasks\?[^"]*key=claim[^"]*measure=succeeded[^"]*)"', html)
    assert link, "the succeeded figure of 理赔 links to its tasks"
    drill = get(client, link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert [n for n in ("客户T7", "客户T8", "客户T9", "客户T10") if n in drill] == [
        "客户T7",
        "客户T8",
        "客户T10",
    ]
    static = get(client, "/static/vendor/echarts/echarts.common.min.js")
    assert static.status_code == 200 and len(static.get_data()) > 100_000


def test_a_month_is_refused_in_the_wrong_form_and_an_empty_month_says_so(
    client: FlaskClient, database: Database
) -> None:
    _seed(database)
    sign_in(client, "compliance")
    bad = get(client, "/report?month=2026-13")
    assert bad.status_code == 400 and "例如 2026-11" in bad.get_data(as_text=True)
    empty = get(client, "/report?month=2025-01").get_data(as_text=True)
    assert "2025年1月没有应回访的任务：本月报告为空。" in _text(empty)
    assert 'id="file-form"' not in get(client, NOV).get_data(as_text=True)  # compliance reads, never files


def test_an_agent_may_not_read_it(client: FlaskClient, database: Database) -> None:
    _seed(database)
    sign_in(client, "agent")
    assert get(client, NOV).status_code == 403


def test_filing_keeps_the_text_and_the_file_and_refiling_needs_a_reason(
    client: FlaskClient, database: Database
) -> None:
    _seed(database)
    sign_in(client, "supervisor")
    done = post(
        client, "/report/file?month=2026-11", {"analysis": "本月总体平稳。\n问题件已督办。"}, page=NOV
    )
    assert done.status_code == 302  # type: ignore[attr-defined]
    _add_late_task(database)  # the live figures change; the filed month does not
    html = get(client, NOV).get_data(as_text=True)
    assert "本月报告已归档（第 1 版）" in html and "本月总体平稳。" in html
    assert re.search(r'<td>本月</td><td class="num"><a[^>]*>9</a>', html), "still the 9 tasks filed"
    export = get(client, "/report/export.xlsx?month=2026-11")
    with database.session() as s:
        row = s.scalars(select(FiledReport)).one()
        assert (
            hashlib.sha256(export.get_data()).hexdigest()
            == row.xlsx_sha256
            == export.headers["X-Content-SHA256"]
        )
        assert row.figures["total"]["tasks"] == 9 and row.filed_by == "zhao_sup"
    wb = openpyxl.load_workbook(io.BytesIO(export.get_data()))
    assert wb["文字分析"]["A1"].value == "回访统计分析报告 · 2026年11月"
    assert any(c.value == "本月总体平稳。" for c in wb["文字分析"]["A"])

    again = post(client, "/report/file?month=2026-11", {"analysis": "改"}, page=NOV)
    assert again.status_code == 302  # type: ignore[attr-defined]
    assert "如确需重新归档，请写明理由" in get(client, NOV).get_data(as_text=True)
    post(
        client, "/report/file?month=2026-11", {"analysis": "更正后重报。", "reason": "补录迟到名单"}, page=NOV
    )
    html = get(client, NOV).get_data(as_text=True)
    assert "第 2 版" in html and "补录迟到名单" in html
    assert re.search(r'<td>本月</td><td class="num"><a[^>]*>10</a>', html)
    with database.session() as s:
        assert [r.version for r in s.scalars(select(FiledReport).order_by(FiledReport.id))] == [1, 2]
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("report_file") == 1 and actions.count("report_refile") == 1
    assert "report_export" in actions
