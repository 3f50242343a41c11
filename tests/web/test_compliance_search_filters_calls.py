"""The compliance search: every filter narrows the calls as its label says, bad filters are named, and the
search itself is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from dialer.model import Attempt, AuditEntry, Database, Escalation, ProblemCase, Task
from dialer.services import services
from tests.web.seed import NOW, Seeded, get, seed, sign_in


@pytest.fixture
def calls(app: Flask, database: Database, seeded: Seeded) -> dict[str, int]:
    """Three calls: 张三's problem call (seeded), 李四's good claim call a week earlier that an agent took
    over, and 王五's busy repair call."""
    root = services(app).settings.recordings_dir
    li = seed(database, root, name="李四", phone="+8613912345678")
    wang = seed(database, root, name="王五", phone="+8613700001111")
    with database.session() as s, s.begin():
        s.execute(delete(ProblemCase).where(ProblemCase.attempt_id.in_([li.attempt, wang.attempt])))
        a = s.get_one(Attempt, li.attempt)
        a.outcome, a.script, a.placed_at = "succeeded", "claim", NOW - timedelta(days=7)
        s.get_one(Task, li.task).type = "claim"
        s.get_one(Escalation, li.escalation).agent_id = seeded.users["agent"]
        w = s.get_one(Attempt, wang.attempt)
        w.outcome, w.script = "busy", "repair"
        s.get_one(Task, wang.task).type = "repair"
    return {"张三": seeded.attempt, "李四": li.attempt, "王五": wang.attempt}


def found(client: FlaskClient, calls: dict[str, int], **filters: str) -> set[str]:
    page = get(client, "/calls", query_string={**filters, "go": "1"}).get_data(as_text=True)
    return {name for name, attempt in calls.items() if f'href="/calls/{attempt}"' in page}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"张三", "李四", "王五"}),
        ({"customer": "李"}, {"李四"}),
        ({"phone": "139-1234"}, {"李四"}),  # any digits of the number, typed as people type them
        (
            {"date_from": "2026-03-10"},
            {"张三", "王五"},
        ),  # local days: the seeded calls are at 10:10 in Shanghai
        ({"date_to": "2026-03-03"}, {"李四"}),
        ({"date_from": "2026-03-03", "date_to": "2026-03-03"}, {"李四"}),
        ({"script": "repair"}, {"王五"}),
        ({"type": "claim"}, {"李四"}),
        ({"outcome": "problem"}, {"张三"}),
        ({"problem": "yes"}, {"张三"}),
        ({"problem": "no"}, {"李四", "王五"}),
        ({"agent": "li_agent"}, {"李四"}),
        ({"agent": "nobody"}, set()),
        ({"customer": "张", "outcome": "busy"}, set()),  # filters combine
    ],
)
def test_each_filter_narrows_the_calls(
    client: FlaskClient, calls: dict[str, int], filters: dict[str, str], expected: set[str]
) -> None:
    sign_in(client, "compliance")
    assert found(client, calls, **filters) == expected


def test_a_customer_name_with_a_wildcard_matches_only_itself(
    client: FlaskClient, calls: dict[str, int]
) -> None:
    sign_in(client, "compliance")
    assert found(client, calls, customer="%") == set()
    assert found(client, calls, customer="_") == set()


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"date_from": "3/10/2026"}, "日期格式应为 年-月-日"), ({"phone": "abc"}, "电话号码只能包含数字")],
)
def test_a_bad_filter_is_named_and_nothing_is_searched(
    client: FlaskClient, calls: dict[str, int], database: Database, filters: dict[str, str], message: str
) -> None:
    sign_in(client, "compliance")
    page = get(client, "/calls", query_string={**filters, "go": "1"}).get_data(as_text=True)
    assert message in page
    with database.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "search_calls")).all() == []


def test_a_search_is_audited_with_its_filters_and_result_count(
    client: FlaskClient, calls: dict[str, int], database: Database
) -> None:
    sign_in(client, "compliance")
    found(client, calls, problem="no", type="claim")
    with database.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "search_calls")).all()
    assert entry.actor == "wang_qc"
    assert entry.detail == {"filters": {"problem": "no", "type": "claim"}, "results": 1}


def test_compliance_sees_whole_numbers_in_the_results(client: FlaskClient, calls: dict[str, int]) -> None:
    sign_in(client, "compliance")
    page = get(client, "/calls", query_string={"go": "1"}).get_data(as_text=True)
    assert "13912345678" in page
