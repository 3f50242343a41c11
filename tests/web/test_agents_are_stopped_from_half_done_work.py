"""The agents' pages refuse half-done work with a plain message and store nothing: a take without a phone or
after someone else took the caller, an empty note, a close without a resolution or cause, a callback without a
valid date, and another agent's callback."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import AuditEntry, Callback, CaseNote, CaseStatus, Database, Escalation, ProblemCase, User
from tests.web.seed import Seeded, get, post, sign_in


def flashes(client: FlaskClient, url: str) -> str:
    return get(client, url).get_data(as_text=True)


def audited(db: Database, action: str) -> int:
    with db.session() as s:
        return len(s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_a_user_without_a_phone_cannot_take_a_caller(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")  # may see the board, but has no phone on file
    post(client, f"/board/{seeded.escalation}/take", page="/board")
    assert "未登记电话号码" in flashes(client, "/board")
    with database.session() as s:
        assert s.get_one(Escalation, seeded.escalation).status == "waiting"
    assert audited(database, "take_call") == 0


def test_of_two_agents_taking_the_same_caller_only_the_first_gets_it(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    other = app.test_client()
    sign_in(other, "admin")  # admins may take calls too; give this one a phone
    with database.session() as s, s.begin():
        s.get_one(User, seeded.users["admin"]).phone = "+8613900009999"
    post(client, f"/board/{seeded.escalation}/take", page="/board")
    post(other, f"/board/{seeded.escalation}/take", page="/board")
    assert "已被其他专员接听" in flashes(other, "/board")
    with database.session() as s:
        esc = s.get_one(Escalation, seeded.escalation)
        assert (esc.status, esc.agent_id) == ("agent_requested", seeded.users["agent"])
    assert audited(database, "take_call") == 1


def test_an_empty_note_is_refused(client: FlaskClient, seeded: Seeded, database: Database) -> None:
    sign_in(client, "agent")
    post(client, f"/cases/{seeded.case}/note", {"body": "   "}, page=f"/cases/{seeded.case}")
    assert "备注内容不能为空" in flashes(client, f"/cases/{seeded.case}")
    with database.session() as s:
        assert s.scalars(select(CaseNote)).all() == []


def test_a_case_is_not_closed_without_a_resolution_and_a_known_cause(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    post(client, f"{page}/close", {"cause": "销售误导"}, page=page)  # no resolution written
    assert "关闭前请填写处理结果并选择问题原因" in flashes(client, page)
    post(
        client, f"{page}/close", {"cause": "天气不好", "resolution": "已处理"}, page=page
    )  # not a cause we know
    with database.session() as s:
        assert s.get_one(ProblemCase, seeded.case).status != CaseStatus.CLOSED
    post(client, f"{page}/close", {"cause": "信息录入错误", "resolution": "已更正客户地址。"}, page=page)
    with database.session() as s:
        case = s.get_one(ProblemCase, seeded.case)
        assert (case.status, case.cause, case.resolution) == (
            CaseStatus.CLOSED,
            "信息录入错误",
            "已更正客户地址。",
        )
        assert case.closed_at is not None and case.assignee_id == seeded.users["agent"]
    post(client, f"{page}/assign", page=page)  # a closed case cannot be taken back into the queue
    assert "该问题件已关闭" in flashes(client, page)
    with database.session() as s:
        assert s.get_one(ProblemCase, seeded.case).status == CaseStatus.CLOSED
    assert audited(database, "case_close") == 1 and audited(database, "case_assign") == 0


def test_a_second_callback_needs_a_real_date_not_in_the_past(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    for due in ("", "下周一", "2026-02-30", "2026-03-01"):  # the seeded day is 2026-03-10
        post(client, f"{page}/callback", {"due": due}, page=page)
        assert "请填写有效的回拨日期" in flashes(client, page)
    with database.session() as s:
        assert s.scalars(select(Callback)).all() == []
    post(client, f"{page}/callback", {"due": "2026-03-12", "reason": "补寄材料后回访"}, page=page)
    with database.session() as s:
        [cb] = s.scalars(select(Callback)).all()
        assert cb.reason == "补寄材料后回访" and cb.assignee_id == seeded.users["agent"]
        assert (
            cb.due_at is not None and cb.due_at.isoformat() == "2026-03-12T10:00:00+00:00"
        )  # 18:00 in Shanghai


def test_an_agent_cannot_mark_another_agents_callback_done(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    post(client, f"{page}/callback", {"due": "2026-03-12"}, page=page)
    with database.session() as s:
        [cb] = s.scalars(select(Callback)).all()
    supervisor = app.test_client()
    sign_in(supervisor, "supervisor")
    resp = post(supervisor, f"/callbacks/{cb.id}/done", {"note": "已回访"}, page="/callbacks")
    assert resp.status_code == 404  # type: ignore[attr-defined]
    post(client, f"/callbacks/{cb.id}/done", {"note": "客户确认已收到补寄材料。"}, page="/callbacks")
    with database.session() as s:
        done = s.get_one(Callback, cb.id)
        assert (done.status, done.note) == ("done", "客户确认已收到补寄材料。")
    assert "问题件二次回访" not in flashes(client, "/callbacks")  # done callbacks leave the list
