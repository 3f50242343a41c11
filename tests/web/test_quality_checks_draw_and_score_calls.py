"""Quality checks (质检): each month a reproducible sample of each agent's calls is drawn, scored on the checklist,
audited, and its scores reach the monthly report."""

from __future__ import annotations

import io
import random
import re

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import delete, select

from dialer.cli import main
from dialer.model import AuditEntry, Database, QaSample
from dialer.model.quality import pick, score
from dialer.reports import Month, ReportRequest, build_report, workbook_bytes
from dialer.reports.quality import draw_month
from dialer.services import services
from tests.web.qa_calls import AgentCalls, add_agent_calls
from tests.web.seed import NOW, Seeded, get, post, sign_in

MARCH = Month(2026, 3)


@pytest.fixture
def calls(app: Flask, database: Database, seeded: Seeded) -> AgentCalls:
    return add_agent_calls(database, services(app).settings.recordings_dir, seeded.users["agent"])


def drawn(db: Database) -> dict[int, list[int]]:
    with db.session() as s:
        out: dict[int, list[int]] = {}
        for row in s.scalars(
            select(QaSample).where(QaSample.month == "2026-03").order_by(QaSample.attempt_id)
        ):
            out.setdefault(row.agent_id, []).append(row.attempt_id)
        return out


def test_each_agent_gets_their_own_sample_and_a_redraw_gives_the_same(app: Flask, database: Database,
                                                                       calls: AgentCalls) -> None:  # fmt: skip
    tz = services(app).settings.tz
    with database.session() as s, s.begin():
        draw_month(s, MARCH, tz, 5, "zhao_sup")
    first = drawn(database)
    li, zhou = calls.agents["li_agent"], calls.agents["zhou_agent"]
    assert set(first) == {li, zhou}
    assert len(first[li]) == 5 and set(first[li]) <= set(calls.calls["li_agent"])  # 5 of their 9 March calls
    assert first[zhou] == calls.calls["zhou_agent"]  # fewer calls than the count: all of them
    assert calls.february not in first[li]
    with database.session() as s, s.begin():
        draw_month(s, MARCH, tz, 5, "zhao_sup")  # drawing again adds nothing
    assert drawn(database) == first
    with database.session() as s, s.begin():
        s.execute(delete(QaSample))
        draw_month(s, MARCH, tz, 5, "wang_qc")  # a fresh draw from the same calls: the same sample
    assert drawn(database) == first
    with database.session() as s:
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "qa_draw")).all()
    assert [a.target for a in audits] == ["qa:2026-03"] * 3
    assert audits[0].detail["agents"][str(li)] == first[li] and audits[0].detail["per_agent"] == 5


def test_the_sample_depends_on_month_and_agent_not_on_order() -> None:
    pool = list(range(100, 140))
    shuffled = random.Random(1).sample(pool, len(pool))
    assert pick("2026-03", 7, pool, 5) == pick("2026-03", 7, shuffled, 5)
    others = {tuple(pick(m, a, pool, 5)) for m, a in [("2026-03", 8), ("2026-04", 7), ("2026-05", 9)]}
    assert tuple(pick("2026-03", 7, pool, 5)) not in others  # seeded by month and agent


def test_the_command_line_draws_the_month(app: Flask, database: Database, calls: AgentCalls) -> None:
    settings = services(app).settings
    env = {"DIALER_DATABASE_URL": settings.database_url, "DIALER_VAR_DIR": str(settings.var_dir),
           "DIALER_QA_SAMPLE_PER_AGENT": "4"}  # fmt: skip
    result = CliRunner().invoke(main, ["qa", "draw", "--month", "2026-03"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        "李专员：本月通话 9 通，抽检 4 通" in result.output
        and "周专员：本月通话 3 通，抽检 3 通" in result.output
    )
    assert {k: len(v) for k, v in drawn(database).items()} == {calls.agents["li_agent"]: 4,
                                                                calls.agents["zhou_agent"]: 3}  # fmt: skip
    bad = CliRunner().invoke(main, ["qa", "draw", "--month", "2026/03"], env=env)
    assert bad.exit_code == 1 and "格式不对" in bad.output and "2026-11" in bad.output


def _score(client: FlaskClient, sample_id: int, marks: list[str], note: str = "") -> None:
    data = {f"ok_{i}": m for i, m in enumerate(marks) if m}
    data |= {"note_1": note, "comment": "整体规范"}
    post(client, f"/qa/samples/{sample_id}", data, page=f"/qa/samples/{sample_id}")


def test_a_supervisor_draws_listens_and_scores_and_it_is_audited(client: FlaskClient, database: Database,
                                                                  calls: AgentCalls) -> None:  # fmt: skip
    sign_in(client, "supervisor")
    post(client, "/qa/draw", {"month": "2026-03"}, page="/qa?month=2026-03")
    page = get(client, "/qa?month=2026-03").get_data(as_text=True)
    assert "李专员" in page and "周专员" in page and "未评分" in page
    with database.session() as s:
        first = s.scalars(select(QaSample).order_by(QaSample.id)).first()
        assert first is not None
        sid, attempt = first.id, first.attempt_id
    html = get(client, f"/qa/samples/{sid}").get_data(as_text=True)
    assert "开场白规范" in html and "未作不当承诺" in html
    [rec] = [int(x) for x in re.findall(r'src="/recordings/(\d+)"', html)]
    assert get(client, f"/recordings/{rec}").status_code == 200  # supervisors listen
    assert get(client, f"/calls/{attempt}").status_code == 200
    assert get(client, f"/recordings/{rec}/download").status_code == 404  # downloading stays compliance's

    _score(client, sid, ["yes", "no", "yes", "yes"])  # 结束语 left unchosen: refused, nothing stored
    assert "结束语 尚未选择" in get(client, f"/qa/samples/{sid}").get_data(as_text=True)
    with database.session() as s:
        assert s.get_one(QaSample, sid).score is None
    _score(client, sid, ["yes", "no", "yes", "yes", "yes"], note="未核对证件号后四位")
    with database.session() as s:
        row = s.get_one(QaSample, sid)
        assert (row.score, row.out_of, row.scored_by, row.comment) == (4, 5, "zhao_sup", "整体规范")
        assert row.checks["items"][1] == {"item": "身份核实", "ok": False, "note": "未核对证件号后四位"}
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "qa_score")).all()
        assert entry.target == f"qa_sample:{sid}" and entry.actor == "zhao_sup"
        assert entry.detail["score"] == 4 and entry.detail["items"] == ["身份核实"]
        played = s.scalars(select(AuditEntry).where(AuditEntry.action == "replay")).all()
        assert [p.target for p in played] == [f"recording:{rec}"]
    page = get(client, "/qa?month=2026-03").get_data(as_text=True)
    assert "4/5 项符合" in page and "80%" in page
    assert get(client, "/audit").status_code == 403  # the supervisor's trail is for compliance to read
    other = client.application.test_client()
    sign_in(other, "compliance")
    log = get(other, "/audit").get_data(as_text=True)
    assert (
        "质检抽样" in log and "质检评分" in log and f"质检样本 #{sid}" in log and "不符合项：身份核实" in log
    )
    assert f"坐席 #{calls.agents['li_agent']} 通话 " in log


def test_agents_cannot_open_quality_checks(client: FlaskClient, calls: AgentCalls) -> None:
    sign_in(client, "agent")
    assert get(client, "/qa").status_code == 403
    assert get(client, "/qa/samples/1").status_code == 404


def test_the_monthly_report_shows_each_agents_average(
    app: Flask, database: Database, calls: AgentCalls, client: FlaskClient
) -> None:
    settings = services(app).settings
    with database.session() as s, s.begin():
        draw_month(s, MARCH, settings.tz, 5, "zhao_sup")
        li = s.scalars(select(QaSample).where(QaSample.agent_id == calls.agents["li_agent"])).all()
        items = settings.qa_checklist
        score(li[0], items, {i: (True, "") for i in items}, "zhao_sup", NOW)
        score(li[1], items, {i: (i != "结束语", "") for i in items}, "zhao_sup", NOW)
    with database.session() as s:
        report = build_report(s, ReportRequest(month=MARCH, tz=settings.tz), NOW)
    rows = {r["agent"]: r for r in report["qa"]["rows"]}
    assert rows["li_agent"] == {
        "agent": "li_agent",
        "name": "李专员",
        "sampled": 5,
        "scored": 2,
        "average": 90.0,
    }
    assert rows["zhou_agent"]["average"] is None and rows["zhou_agent"]["sampled"] == 3
    assert report["qa"]["available"] is True
    agents = {a["agent"]: a["qa_score"] for a in report["agents"]}
    assert agents["li_agent"] == 90.0 and agents["zhou_agent"] is None
    assert "李专员 90%（评分 2 通）" in report["analysis"]
    wb = load_workbook(io.BytesIO(workbook_bytes(report, NOW)))
    values = [[c for c in row] for row in wb["坐席"].iter_rows(values_only=True)]
    assert ["李专员", "li_agent", 7, 0, "90%", 1, 0] in [list(v[:7]) for v in values]
    assert ["李专员", "li_agent", 5, 2, "90%"] in [list(v[:5]) for v in values]
    sign_in(client, "supervisor")
    html = get(client, "/report?month=2026-03").get_data(as_text=True)
    qa_table = html[html.index('id="qa"') :]
    assert "90%" in html[html.index('id="agents"') : html.index('id="qa"')] and "李专员" in qa_table
    assert "无数据" in qa_table and "质检得分为本月抽检通话的平均符合率" in html
