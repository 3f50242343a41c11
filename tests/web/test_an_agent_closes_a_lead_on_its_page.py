"""An agent closes a lead on its task's page, giving a reason (audited): its waiting call is cancelled, and a call
going on right now adds no next call when it ends. Without a reason nothing is closed."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dialer.model import AuditEntry, Customer, Database, Task, TaskStatus
from dialer.model.series import schedule_next_call
from dialer.services import services
from tests.web.seed import NOW, add_personas, get, post, sign_in


def lead(db: Database, phone: str, statuses: list[TaskStatus]) -> list[int]:
    """A lead (grade B) whose series has one task per status, in order; return their ids."""
    ids = []
    with db.session() as s, s.begin():
        c = Customer(name="潜在客户", phone=phone)
        for step, status in enumerate(statuses, start=1):
            t = Task(customer=c, type="lead", script="lead", event_at=NOW - timedelta(days=20),
                     earliest_at=NOW - timedelta(days=20 - 7 * step), deadline_at=NOW + timedelta(days=7),
                     status=status, series_step=step, series_total=None, grade="B")  # fmt: skip
            s.add(t)
            s.flush()
            ids.append(t.id)
    return ids


def series_size(db: Database, task_id: int) -> int:
    with db.session() as s:
        t = s.get_one(Task, task_id)
        return s.scalar(select(func.count()).select_from(Task).where(
            Task.customer_id == t.customer_id, Task.type == "lead")) or 0  # fmt: skip


def test_an_agent_closes_a_lead_and_no_further_call_is_made(
    app: Flask, client: FlaskClient, database: Database
) -> None:
    add_personas(database)
    done, waiting = lead(database, "+8613700000001", [TaskStatus.SUCCEEDED, TaskStatus.PENDING])
    (calling,) = lead(database, "+8613700000002", [TaskStatus.DIALLING])
    sign_in(client, "agent")
    page = get(client, f"/tasks/{waiting}").get_data(as_text=True)
    assert "第 2 次（持续跟进，直至结束）" in page and "结束跟进此线索" in page and "意向客户回访" in page

    post(client, f"/tasks/{waiting}/close-lead", {"reason": "  "}, page=f"/tasks/{waiting}")
    assert "请填写结束跟进的原因" in get(client, f"/tasks/{waiting}").get_data(as_text=True)
    with database.session() as s:
        assert s.get_one(Task, waiting).status == TaskStatus.PENDING

    post(client, f"/tasks/{waiting}/close-lead", {"reason": "已成交"}, page=f"/tasks/{waiting}")
    page = get(client, f"/tasks/{waiting}").get_data(as_text=True)
    assert (
        "取消了 1 次待拨打的回访" in page and "已结束跟进，不再拨打" in page and "结束跟进此线索" not in page
    )
    with database.session() as s:
        closed = s.get_one(Task, waiting)
        assert closed.status == TaskStatus.CANCELLED and closed.next_attempt_at is None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "lead_closed")).one()
    assert (
        entry.actor == "li_agent" and entry.target == f"task:{waiting}" and entry.detail["reason"] == "已成交"
    )

    post(client, f"/tasks/{calling}/close-lead", {"reason": "客户明确拒绝"}, page=f"/tasks/{calling}")
    rules = services(app).task_types["lead"]
    with database.session() as s, s.begin():  # the call that was going on ends
        t = s.get_one(Task, calling)
        t.status = TaskStatus.SUCCEEDED
        assert schedule_next_call(s, t, rules, NOW) is None
    assert series_size(database, calling) == 1
    assert series_size(database, done) == 2
    (still_open,) = lead(database, "+8613700000004", [TaskStatus.SUCCEEDED])
    with database.session() as s, s.begin():  # a lead nobody closed, by contrast, gets its next call
        assert schedule_next_call(s, s.get_one(Task, still_open), rules, NOW) is not None


def test_a_compliance_officer_cannot_open_a_task(client: FlaskClient, database: Database) -> None:
    add_personas(database)
    (task_id,) = lead(database, "+8613700000003", [TaskStatus.PENDING])
    sign_in(client, "compliance")
    assert get(client, f"/tasks/{task_id}").status_code == 404
