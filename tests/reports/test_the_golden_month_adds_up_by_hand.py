"""Every figure of the report, JSON and XLSX, equals the arithmetic done by hand on tests/reports/golden.py."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from dialer.model import Database
from dialer.reports import build_report, workbook_bytes
from tests.reports.conftest import november
from tests.reports.golden import NOW, Golden

# November's due tasks: T1..T10 except T6 (withdrawn) = 9.
# Connected (someone answered): T1, T2, T3 (2nd call), T5 (wrong person), T7, T8, T10 = 7; T4 and T9 never.
# Succeeded (status succeeded or problem): T1, T2, T3, T7, T8, T10 = 6, of which with a problem T2, T7 = 2.
# Timely: T1, T2, T7 (closed before deadline), T8 (no deadline), T10 = 5; T3 closed on 20th, deadline 18th.
# Problem cases of successful tasks: T2 one + T7 two = 3.
NOVEMBER = {"tasks": 9, "reached": 7, "succeeded": 6, "succeeded_with_problem": 2, "timely": 5,
            "problem_cases": 3, "unreachable": 1, "manual_followup": 0, "open": 1, "invalid": 1, "withdrawn": 1}  # fmt: skip
NOVEMBER_RATES = {"reach_rate": 7 / 9, "success_rate": 6 / 9, "timely_rate": 5 / 9, "problem_rate": 3 / 6,
                  "unreachable_share": 1 / 9, "manual_followup_share": 0 / 9}  # fmt: skip
# October: P1 (succeeded), P2 (unreachable; its last half hour of October counts in October), P3 (problem).
OCTOBER = {"tasks": 3, "reached": 2, "succeeded": 2, "succeeded_with_problem": 1, "timely": 2,
           "problem_cases": 1, "unreachable": 1, "manual_followup": 0, "open": 0, "invalid": 0, "withdrawn": 0}  # fmt: skip


def counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: row[k] for k in NOVEMBER}


@pytest.fixture
def report(db: Database, golden: Golden) -> dict[str, Any]:
    with db.session() as s:
        return build_report(s, november(), NOW)


def test_the_total_and_its_rates(report: dict[str, Any]) -> None:
    assert counts(report["total"]) == NOVEMBER
    assert {k: report["total"][k] for k in NOVEMBER_RATES} == pytest.approx(NOVEMBER_RATES)
    assert counts(report["total"]["previous"]) == OCTOBER
    assert report["total"]["previous"]["success_rate"] == pytest.approx(2 / 3)
    assert report["total"]["previous"]["problem_rate"] == pytest.approx(1 / 2)
    assert report["empty"] is False and report["month"] == "2026-11" and report["previous_month"] == "2026-10"


def test_each_dimension(report: dict[str, Any]) -> None:
    by_type = {r["key"]: r for r in report["by_type"]}
    # 新契约: T1..T5 due (T6 withdrawn); connected T1, T2, T3, T5; succeeded T1, T2, T3; timely T1, T2.
    assert counts(by_type["new_policy"]) == {"tasks": 5, "reached": 4, "succeeded": 3, "succeeded_with_problem": 1,
                                             "timely": 2, "problem_cases": 1, "unreachable": 1, "manual_followup": 0,
                                             "open": 1, "invalid": 0, "withdrawn": 1}  # fmt: skip
    # 理赔: T7..T10; connected T7, T8, T10; all three succeeded and timely; T7's two cases; T9 invalid.
    assert counts(by_type["claim"]) == {"tasks": 4, "reached": 3, "succeeded": 3, "succeeded_with_problem": 1,
                                        "timely": 3, "problem_cases": 2, "unreachable": 0, "manual_followup": 0,
                                        "open": 0, "invalid": 1, "withdrawn": 0}  # fmt: skip
    assert by_type["claim"]["name"] == "理赔" and by_type["claim"]["problem_rate"] == pytest.approx(2 / 3)
    assert by_type["new_policy"]["previous"]["tasks"] == 2 and by_type["claim"]["previous"]["tasks"] == 1
    dept = {r["name"]: (r["tasks"], r["succeeded"], r["withdrawn"]) for r in report["by_department"]}
    assert dept == {"个险部": (2, 2, 1), "银保部": (3, 1, 0), "理赔部": (4, 3, 0)}
    seller = {r["name"]: (r["tasks"], r["succeeded"]) for r in report["by_seller"]}
    assert seller == {"陈": (2, 2), "林": (2, 1), "（未填写）": (1, 0), "王": (4, 3)}
    assert {r["key"]: r["tasks"] for r in report["by_script"]} == {"new_policy": 5, "claim": 4}


def test_the_questions_worst_first(report: dict[str, Any]) -> None:
    rows = [(q["type"], q["question_id"], q["answered"], q["yes"], q["no"], q["unclear"], q["problem"])
            for q in report["by_question"]]  # fmt: skip
    # paid_in_full: 1 of 1 a problem (100%); then 1 of 3 for service_attitude and q2 (claim before new_policy).
    assert rows == [
        ("claim", "paid_in_full", 1, 0, 1, 0, 1),
        ("claim", "service_attitude", 3, 2, 1, 0, 1),
        ("new_policy", "q2", 3, 2, 1, 0, 1),
        ("claim", "overall_satisfaction", 3, 2, 0, 1, 0),
        ("new_policy", "q1", 3, 3, 0, 0, 0),
    ]  # the re-asked turns (final = false) count nowhere
    rates = [q["problem_rate"] for q in report["by_question"]]
    assert rates == pytest.approx([1.0, 1 / 3, 1 / 3, 0.0, 0.0])
    sa = next(q for q in report["by_question"] if q["question_id"] == "service_attitude")
    assert sa["previous"]["answered"] == 1 and sa["previous"]["problem_rate"] == 1.0  # P3 said 否 in October


def test_satisfaction(report: dict[str, Any]) -> None:
    # 理赔's two satisfaction questions: service_attitude 是, 是, 否; overall_satisfaction 是, 是, unclear.
    assert report["satisfaction"] == [
        {"type": "claim", "name": "理赔", "satisfied": 4, "unsatisfied": 1, "unclear": 1, "answered": 6,
         "satisfied_rate": pytest.approx(4 / 6)}
    ]  # fmt: skip


def test_the_problem_cases_and_agents(report: dict[str, Any]) -> None:
    c = report["cases"]
    # Opened in November: T2's, T7's two = 3. Closed in November: T2's (3 days), P3's (Oct 20 → Nov 4, 15 days).
    # Overdue: T7's first (due Nov 20, open at the month's end). Repeats: T7's second.
    assert (c["opened"], c["closed"], c["overdue"], c["repeats"]) == (3, 2, 1, 1)
    assert c["median_days_to_close"] == (3 + 15) / 2
    # October: P3's opened, closed after its due date (Oct 30) → overdue; none closed in October.
    p = c["previous"]
    assert (p["opened"], p["closed"], p["overdue"], p["repeats"], p["median_days_to_close"]) == (
        1,
        0,
        1,
        0,
        None,
    )
    assert [(x["question"], x["due"]) for x in c["overdue_open"]] == [
        ("您对服务态度是否满意？", "2026-11-20")
    ]
    agents = {
        a["agent"]: (a["calls_taken"], a["cases_closed"], a["qa_score"], a["previous"])
        for a in report["agents"]
    }
    assert agents == {
        "wu_agent": (1, 1, None, {"calls_taken": 0, "cases_closed": 0}),
        "zhou_agent": (0, 1, None, {"calls_taken": 1, "cases_closed": 0}),
    }
    assert report["manual_followup"]["done"] == 0 and report["manual_followup"]["recorded"] is True
    assert report["qa"]["available"] is False


def test_the_written_analysis_and_definitions(report: dict[str, Any]) -> None:
    text = report["analysis"]
    assert "2026年11月应回访 9 件（上月 3 件）" in text
    assert "回访成功率 66.7%" in text and "较上月（66.7%）" not in text  # Oct was 2/3 too: 持平
    assert "与上月（66.7%）持平" in text
    assert "问题件率 50.0%" in text and "“赔款是否已足额到账？”（理赔，1/1，100.0%）" in text
    assert "超期 1 件" in text and "机构自访 0 件" in text and "质检得分：无数据" in text
    assert any(d.startswith("应回访件数") for d in report["definitions"])


def test_the_workbook_holds_the_same_figures(report: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(report, NOW)))
    assert wb.sheetnames[0] == "文字分析" and "口径说明" in wb.sheetnames
    assert any("2026年11月应回访 9 件" in str(c.value) for c in wb["文字分析"]["A"])
    said = " ".join(str(c.value) for c in wb["文字分析"]["A"])
    assert "时间：北京时间（UTC+8）" in said and "Asia/Shanghai" not in said  # the zone as people call it
    overview = {r[0]: r[1:3] for r in wb["总览"].iter_rows(min_row=2, values_only=True)}
    assert (
        overview["应回访件数"] == (9, 3)
        and overview["回访成功件数"] == (6, 2)
        and overview["问题件数"] == (3, 1)
    )
    assert overview["回访成功率"] == pytest.approx((6 / 9, 2 / 3))
    assert overview["问题件率"] == pytest.approx((0.5, 0.5))
    ws = wb["按任务类型"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert (rows["新契约"]["应回访"], rows["新契约"]["回访成功"], rows["新契约"]["已撤销"]) == (5, 3, 1)
    assert rows["理赔"]["问题件率"] == pytest.approx(2 / 3)
    assert ws.cell(2, head.index("回访成功率") + 1).number_format == "0.0%"
    assert ws.freeze_panes == "B2" and len(ws._charts) == 1
    q = wb["按问题"]
    assert [r[0] for r in q.iter_rows(min_row=2, max_row=2, values_only=True)] == ["赔款是否已足额到账？"]
    s = next(iter(wb["满意度"].iter_rows(min_row=2, max_row=2, values_only=True)))
    assert s[:5] == ("理赔", 4, 1, 1, 6)
    assert len(wb["满意度"]._charts) == 2 and len(wb["总览"]._charts) == 1 and len(q._charts) == 1
    agents = {r[1]: r[2:5] for r in wb["坐席"].iter_rows(min_row=2, max_row=3, values_only=True)}
    assert agents == {"wu_agent": (1, 1, "无数据"), "zhou_agent": (0, 1, "无数据")}


def test_a_filter_narrows_every_figure(db: Database, golden: Golden) -> None:
    with db.session() as s:
        r = build_report(s, november(department="理赔部"), NOW)
    assert counts(r["total"]) == counts({**r["by_type"][0]}) and r["total"]["tasks"] == 4
    assert [x["key"] for x in r["by_type"]] == ["claim"]
    assert r["cases"]["opened"] == 2 and r["cases"]["closed"] == 1  # T7's two; P3's closed in November
    assert {a["agent"] for a in r["agents"]} == {"zhou_agent"}
