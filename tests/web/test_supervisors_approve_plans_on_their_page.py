"""Supervisors review an uploaded list as a plan, approve or reject it on its page (audited); the progress page
flags a type whose running plans will miss its coverage target; others cannot reach the plans."""

from __future__ import annotations

from io import BytesIO

from flask.testing import FlaskClient
from sqlalchemy import select, update

from dialer.model import AuditEntry, Database, ImportBatch, Task, TaskStatus
from tests.web.seed import Seeded, csrf_token, get, post, sign_in

TITLED = (
    "XX人寿 2026年3月 理赔回访清单,,,\r\n制表日期：2026-03-10,,,\r\n姓名,手机,结案日期,营业部,赔付金额\r\n"
    "张伟,13812345678,2026-03-09,城东营业部,1000\r\n王芳,13912345678,2026-03-09,城西营业部,2000\r\n合计,,,,3000\r\n"
)


def upload(client: FlaskClient, body: str) -> str:
    data = {
        "file": (BytesIO(body.encode()), "理赔.csv"),
        "type": "claim",
        "csrf_token": csrf_token(client, "/admin/upload"),
    }
    resp = client.post("/admin/upload", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def newest_plan(db: Database) -> ImportBatch:
    with db.session() as s:
        plan = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert plan is not None
        return plan


def test_an_uploaded_list_waits_for_approval_then_is_approved_and_audited(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    page = upload(client, TITLED)
    assert "已导入 2 条回访任务" in page and "待审批，主管批准前不会拨打" in page
    assert "表头在第 3 行" in page and "跳过第 6 行：合计行" in page and "赔付金额" in page
    plan = newest_plan(database)
    listed = get(client, "/admin/plans/").get_data(as_text=True)
    assert f"#{plan.id}" in listed and "待审批" in listed
    shown = get(client, f"/admin/plans/{plan.id}").get_data(as_text=True)
    assert "批准计划" in shown and "城东营业部" in shown and "第 1/1 次" in shown
    resp = post(client, f"/admin/plans/{plan.id}/approve", page=f"/admin/plans/{plan.id}")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert "已批准" in get(client, f"/admin/plans/{plan.id}").get_data(as_text=True)
    assert newest_plan(database).status == "approved"
    with database.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "plan_approve")).one()
    assert entry.actor == "zhao_sup" and entry.target == f"batch:{plan.id}"


def test_a_rejection_without_a_reason_is_refused_with_a_message(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    upload(client, TITLED)
    plan = newest_plan(database)
    post(client, f"/admin/plans/{plan.id}/reject", {"note": ""}, page=f"/admin/plans/{plan.id}")
    assert "驳回计划需要填写原因" in get(client, f"/admin/plans/{plan.id}").get_data(as_text=True)
    assert newest_plan(database).status == "pending"


def test_a_decision_without_the_forms_token_is_refused(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    upload(client, TITLED)
    plan = newest_plan(database)
    assert client.post(f"/admin/plans/{plan.id}/approve").status_code == 400
    assert newest_plan(database).status == "pending"


def test_agents_cannot_reach_the_plans(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "agent")
    assert get(client, "/admin/plans/").status_code == 403
    assert get(client, "/admin/plans/1").status_code == 404


def test_the_progress_page_flags_a_type_that_will_miss_its_coverage(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    upload(client, TITLED)
    plan = newest_plan(database)
    post(client, f"/admin/plans/{plan.id}/approve", page=f"/admin/plans/{plan.id}")
    assert "可以达标" in get(client, "/admin/progress").get_data(as_text=True)
    with database.session() as s, s.begin():
        first = s.scalars(select(Task.id).where(Task.import_batch_id == plan.id).order_by(Task.id)).first()
        s.execute(update(Task).where(Task.id == first).values(status=TaskStatus.UNREACHABLE))
    page = get(client, "/admin/progress").get_data(as_text=True)
    assert "将无法达标" in page and "50%" in page  # 理赔 needs 100%: one of two is lost already
