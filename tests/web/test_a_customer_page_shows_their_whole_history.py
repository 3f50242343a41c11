"""A customer's page gathers every task, call, answer, problem case and callback they have, and is linked from
the lists; opening it is audited, and the phone is masked for roles that do not need it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import AuditEntry, Callback, Database, Task, TaskStatus
from dialer.services import services
from tests.web.seed import NOW, Seeded, get, seed, sign_in


def test_the_page_gathers_every_task_call_answer_case_and_callback(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    with database.session() as s, s.begin():
        s.add(Task(customer_id=seeded.customer, type="claim", script="claim", event_at=NOW - timedelta(days=40),
                   earliest_at=NOW - timedelta(days=40), status=TaskStatus.SUCCEEDED))  # fmt: skip
        s.add(Callback(task_id=seeded.task, reason="补寄材料后回访", status="done", note="客户已收到材料。"))
    seed(database, services(app).settings.recordings_dir, name="李四", phone="+8613912345678")  # someone else
    sign_in(client, "agent")
    cases = get(client, "/cases").get_data(as_text=True)
    assert f'href="/customers/{seeded.customer}"' in cases
    html = get(client, f"/customers/{seeded.customer}").get_data(as_text=True)
    assert "客户：张三" in html and "138****1234" in html and "13812341234" not in html
    assert html.count('id="task-') == 2 and "理赔回访" in html and "新契约回访" in html
    assert "您是否已阅读产品说明书和风险提示？ <strong><span" in html
    assert f'href="/cases/{seeded.case}"' in html and "客户已收到材料。" in html
    assert "李四" not in html
    with database.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "view_customer")).all()
        assert entry.target == f"customer:{seeded.customer}" and entry.actor == "li_agent"


def test_compliance_sees_the_whole_phone_and_the_call_links(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    html = get(client, f"/customers/{seeded.customer}").get_data(as_text=True)
    assert "+8613812341234" in html and f'href="/calls/{seeded.attempt}"' in html


def test_an_unknown_customer_is_not_found(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "supervisor")
    resp = get(client, "/customers/999999")
    assert resp.status_code == 404 and "未找到" in resp.get_data(as_text=True)
