"""Supervisors' progress page: one row per task type in use, any day chosen (today by default), tasks at risk."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from dialer.model import Attempt, Customer, Database, Task, TaskStatus
from tests.web.seed import NOW, Seeded, get, sign_in


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table class="grid" id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no #{table} table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows]  # fmt: skip


def _add_day_before(database: Database) -> None:
    """Add yesterday's busy call and a pending claim task past its deadline."""
    with database.session() as s, s.begin():
        c = Customer(name="钱七", phone="+8613711112222")
        late = Task(customer=c, type="claim", script="claim", event_at=NOW - timedelta(days=20),
                    earliest_at=NOW - timedelta(days=20), deadline_at=NOW - timedelta(hours=2),
                    status=TaskStatus.PENDING, attempt_count=1)  # fmt: skip
        s.add_all([c, late])
        s.flush()
        s.add(Attempt(task=late, number=1, status="busy", outcome="busy", to_number=c.phone, script="claim",
                      placed_at=NOW - timedelta(days=1)))  # fmt: skip


def test_today_lists_each_task_type_in_use_once(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    _add_day_before(database)
    sign_in(client, "supervisor")
    html = get(client, "/admin/progress").get_data(as_text=True)
    assert 'name="day" value="2026-03-10"' in html
    rows = _rows(html, "progress")
    assert [r[0] for r in rows] == ["新契约回访", "理赔回访"]  # in use only, each once
    assert rows[0][1] == "1" and rows[1][1] == "0"  # today's calls: the seeded one, not yesterday's


def test_another_day_shows_that_days_calls(client: FlaskClient, database: Database, seeded: Seeded) -> None:
    _add_day_before(database)
    sign_in(client, "supervisor")
    rows = _rows(get(client, "/admin/progress?day=2026-03-09").get_data(as_text=True), "progress")
    assert [(r[0], r[1]) for r in rows] == [("理赔回访", "1")]  # new_policy had nothing that day


def test_a_bad_day_says_so_and_shows_today(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "supervisor")
    html = get(client, "/admin/progress?day=2026-13-45").get_data(as_text=True)
    assert "日期 2026-13-45 无效" in html and 'value="2026-03-10"' in html


def test_a_task_past_its_deadline_is_listed_as_overdue(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    _add_day_before(database)
    sign_in(client, "supervisor")
    rows = _rows(get(client, "/admin/progress").get_data(as_text=True), "at-risk")
    late = [r for r in rows if "钱七" in r]
    assert len(late) == 1
    assert late[0][2] == "137****2222" and late[0][3] == "理赔回访" and late[0][4] == "2026-03-10 08:30"
    assert "忙线" in late[0][6] and late[0][7] == "已超期"
