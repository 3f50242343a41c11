"""Lists people work: every row reachable page by page, filters and sorting narrow and order them, and the
Excel export holds exactly the filtered rows of every page, phones masked per role, formulas neutralised."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from dialer.model import Attempt, Callback, Customer, Database, ProblemCase, Task, TaskStatus
from tests.web.seed import NOW, Seeded, get, sign_in

MANY = 130  # more than two pages of 50


@pytest.fixture
def many(database: Database, seeded: Seeded) -> dict[str, set[int]]:
    """130 more cases (and a callback each): even ones in 理赔部 a week ago assigned to the agent, odd ones
    in 个险部 today; one customer's name is a spreadsheet formula."""
    made: dict[str, set[int]] = {"claims": set(), "all": {seeded.case}, "callbacks": set()}
    with database.session() as s, s.begin():
        for n in range(MANY):
            even = n % 2 == 0
            name = '=HYPERLINK("http://evil","点我")' if n == 7 else f"客户{n:03d}"
            when = NOW - timedelta(days=7 if even else 0, minutes=n)
            c = Customer(name=name, phone=f"+86139{n:08d}")
            t = Task(customer=c, type="claim" if even else "new_policy", script="claim" if even else "new_policy",
                     event_at=when, earliest_at=when, status=TaskStatus.PROBLEM, attempt_count=1,
                     department="理赔部" if even else "个险部")  # fmt: skip
            a = Attempt(task=t, number=1, status="completed", outcome="problem", to_number=c.phone,
                        script=t.script, placed_at=when)  # fmt: skip
            s.add_all([c, t, a])
            s.flush()
            case = ProblemCase(task_id=t.id, attempt_id=a.id, question_id="q1", question_text="问题", answer_label="no",
                               department=t.department, created_at=when,
                               assignee_id=seeded.users["agent"] if even else None,
                               status="assigned" if even else "open")  # fmt: skip
            s.add(case)
            s.add(Callback(task_id=t.id, reason="二次回访", due_at=when + timedelta(days=1),
                           assignee_id=seeded.users["agent"]))  # fmt: skip
            s.flush()
            made["all"].add(case.id)
            if even:
                made["claims"].add(case.id)
    return made


def case_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-case="(\d+)"', html)]


def sheet(client: FlaskClient, url: str, **query: str) -> list[list[object]]:
    resp = get(client, url, query_string={**query, "format": "xlsx"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.get_data())).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_every_case_is_reached_page_by_page_once(client: FlaskClient, many: dict[str, set[int]]) -> None:
    sign_in(client, "supervisor")
    first = get(client, "/cases").get_data(as_text=True)
    assert f"共 {MANY + 1} 条" in first and "第 1 / 3 页" in first
    seen: list[int] = []
    for page in (1, 2, 3):
        seen += case_ids(get(client, "/cases", query_string={"page": str(page)}).get_data(as_text=True))
    assert len(seen) == len(set(seen)) == MANY + 1
    assert set(seen) == many["all"]


def test_filters_narrow_and_sorting_orders(client: FlaskClient, many: dict[str, set[int]]) -> None:
    sign_in(client, "supervisor")
    f = {"department": "理赔部", "date_to": "2026-03-04", "agent": "li_agent", "status": "assigned"}
    ids: list[int] = []
    for page in (1, 2):
        ids += case_ids(get(client, "/cases", query_string={**f, "page": str(page)}).get_data(as_text=True))
    assert set(ids) == many["claims"]
    none = get(client, "/cases", query_string={**f, "date_from": "2026-03-10"}).get_data(as_text=True)
    assert case_ids(none) == [] and "没有符合条件的问题件" in none
    html = get(client, "/cases", query_string={"sort": "customer", "dir": "asc"}).get_data(as_text=True)
    names = re.findall(r">(客户\d{3})</a>", html)
    assert names == sorted(names) and names[0] == "客户000"


def test_the_export_holds_exactly_the_filtered_rows_of_all_pages(
    client: FlaskClient, many: dict[str, set[int]]
) -> None:
    sign_in(client, "supervisor")
    rows = sheet(client, "/cases", department="理赔部")
    head, body = rows[0], rows[1:]
    assert head[0] == "编号" and "电话" in head
    assert {r[0] for r in body} == many["claims"] and len(body) == len(many["claims"]) == 65
    phones = [r[head.index("电话")] for r in body]
    assert all(re.fullmatch(r"139\*\*\*\*\d{4}", str(p)) for p in phones), phones[:3]
    everything = sheet(client, "/cases")
    evil = [r for r in everything if "HYPERLINK" in str(r[head.index("客户")])]
    assert evil and str(evil[0][head.index("客户")]).startswith("'=")


def test_compliance_exports_calls_with_whole_phones(client: FlaskClient, many: dict[str, set[int]]) -> None:
    sign_in(client, "compliance")
    rows = sheet(client, "/calls", department="个险部")
    head = rows[0]
    assert len(rows) - 1 == MANY // 2 + 1  # the seeded call is in 个险部 too
    # A leading + is one of the characters a spreadsheet starts a formula with: it is quoted like the rest.
    assert "'+8613812341234" in [r[head.index("电话")] for r in rows]


def test_callbacks_and_tasks_lists_page_and_export(client: FlaskClient, many: dict[str, set[int]]) -> None:
    sign_in(client, "agent")
    html = get(client, "/callbacks").get_data(as_text=True)
    assert f"共 {MANY} 条" in html and "下一页" in html
    assert len(sheet(client, "/callbacks", type="claim")) - 1 == MANY // 2
    client.post("/logout")
    sign_in(client, "supervisor")
    tasks = get(client, "/tasks", query_string={"type": "claim", "page": "2"}).get_data(as_text=True)
    assert "共 65 条" in tasks and "第 51–65 条" in tasks
    assert len(sheet(client, "/tasks", type="claim")) - 1 == 65


def test_a_bad_filter_is_named_in_chinese(client: FlaskClient, many: dict[str, set[int]]) -> None:
    sign_in(client, "supervisor")
    html = get(client, "/cases", query_string={"date_from": "3/10"}).get_data(as_text=True)
    assert "日期格式应为 年-月-日" in html and "3/10" in html
    html = get(client, "/tasks", query_string={"status": "bogus"}).get_data(as_text=True)
    assert "状态“bogus”不存在" in html
    resp = get(client, "/cases", query_string={"date_from": "3/10", "format": "xlsx"})
    assert resp.status_code == 400 and "日期格式" in resp.get_data(as_text=True)
