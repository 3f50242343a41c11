"""Problem cases: supervisors assign, reassign and reopen (with a reason); only the assignee or a supervisor
changes a case; closing keeps the resolution typed in the same form; agents hear the 否 clip; a callback's
result is shown on the case; every step is audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import AuditEntry, Callback, CaseStatus, Database, ProblemCase, Role, User
from tests.web.seed import Seeded, _password_hash, get, post, sign_in


def audited(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def case_row(db: Database, case_id: int) -> ProblemCase:
    with db.session() as s:
        return s.get_one(ProblemCase, case_id)


def second_agent(db: Database) -> int:
    with db.session() as s, s.begin():
        u = User(
            username="qian_agent", role=Role.AGENT, display_name="钱专员", password_hash=_password_hash()
        )
        s.add(u)
        s.flush()
        return u.id


def test_a_supervisor_assigns_and_reassigns_a_case(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    other = second_agent(database)
    sign_in(client, "supervisor")
    page = f"/cases/{seeded.case}"
    post(client, f"{page}/reassign", {"assignee": str(seeded.users["agent"])}, page=page)
    assert case_row(database, seeded.case).assignee_id == seeded.users["agent"]
    post(client, f"{page}/reassign", {"assignee": str(other)}, page=page)
    html = get(client, page).get_data(as_text=True)
    assert "问题件已改派给钱专员" in html and case_row(database, seeded.case).assignee_id == other
    post(
        client, f"{page}/reassign", {"assignee": str(seeded.users["compliance"])}, page=page
    )  # not a case worker
    assert "请从列表中选择一位在岗的回访专员或主管" in get(client, page).get_data(as_text=True)
    [first, second] = audited(database, "case_reassign")
    assert second.detail == {"from": "李专员", "to": "钱专员"} and first.detail == {"to": "李专员"}


def test_an_agent_cannot_take_or_change_another_agents_case(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    other = second_agent(database)
    with database.session() as s, s.begin():
        c = s.get_one(ProblemCase, seeded.case)
        c.assignee_id, c.status, c.resolution = other, CaseStatus.ASSIGNED, "钱专员的处理结果"
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    for url, data in ((f"{page}/assign", {}), (f"{page}/resolution", {"resolution": "覆盖"}),
                      (f"{page}/note", {"body": "插一句"}),
                      (f"{page}/close", {"resolution": "覆盖", "cause": "其他"})):  # fmt: skip
        post(client, url, data, page=page)
    html = get(client, page).get_data(as_text=True)
    assert "只有处理人或主管可以修改" in html or "请联系主管改派" in html
    c = case_row(database, seeded.case)
    assert (c.assignee_id, c.resolution, c.status) == (other, "钱专员的处理结果", CaseStatus.ASSIGNED)
    assert not audited(database, "case_note") and not audited(database, "case_close")
    resp = post(client, f"{page}/reassign", {"assignee": str(seeded.users["agent"])}, page=page)
    assert resp.status_code == 403  # type: ignore[attr-defined]


def test_closing_keeps_what_was_typed_even_when_the_close_is_refused(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    post(client, f"{page}/close", {"resolution": "已向客户补寄说明书。", "cause": ""}, page=page)
    html = get(client, page).get_data(as_text=True)
    assert "已填写的处理结果已保存" in html and "已向客户补寄说明书。" in html
    assert case_row(database, seeded.case).resolution == "已向客户补寄说明书。"
    post(
        client, f"{page}/close", {"resolution": "已向客户补寄说明书并确认收到。", "cause": "其他"}, page=page
    )
    c = case_row(database, seeded.case)
    assert (c.status, c.resolution, c.assignee_id) == (CaseStatus.CLOSED, "已向客户补寄说明书并确认收到。",
                                                        seeded.users["agent"])  # fmt: skip


def test_a_supervisor_reopens_a_closed_case_with_a_reason(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    post(client, f"{page}/close", {"resolution": "已处理", "cause": "其他"}, page=page)
    assert post(client, f"{page}/reopen", {"reason": "想重开"}, page=page).status_code == 403  # type: ignore[attr-defined]
    sup = app.test_client()
    sign_in(sup, "supervisor")
    post(sup, f"{page}/reopen", {"reason": " "}, page=page)
    assert "请填写重新打开的原因" in get(sup, page).get_data(as_text=True)
    assert case_row(database, seeded.case).status == CaseStatus.CLOSED
    post(sup, f"{page}/reopen", {"reason": "客户来电表示仍未收到说明书"}, page=page)
    c = case_row(database, seeded.case)
    assert (c.status, c.closed_at, c.cause) == (CaseStatus.ASSIGNED, None, None)
    assert "重新打开：客户来电表示仍未收到说明书" in get(sup, page).get_data(as_text=True)
    [entry] = audited(database, "case_reopen")
    assert entry.detail == {"reason": "客户来电表示仍未收到说明书"}


def test_agents_hear_the_no_clip_and_read_the_callback_result(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    page = f"/cases/{seeded.case}"
    html = get(client, page).get_data(as_text=True)
    assert f'src="/cases/{seeded.case}/clip"' in html
    resp = get(client, f"/cases/{seeded.case}/clip")
    assert resp.status_code == 200 and resp.mimetype == "audio/wav"
    assert (
        get(client, f"/recordings/{seeded.clip}").status_code == 404
    )  # the whole recordings stay compliance's
    [replay] = audited(database, "replay")
    assert replay.target == f"recording:{seeded.clip}" and replay.detail["case"] == seeded.case
    post(client, f"{page}/callback", {"due": "2026-03-12"}, page=page)
    with database.session() as s:
        [cb] = s.scalars(select(Callback)).all()
    post(client, f"/callbacks/{cb.id}/done", {"note": "客户确认已收到补寄材料。"}, page="/callbacks")
    assert "客户确认已收到补寄材料。" in get(client, page).get_data(as_text=True)
    done = get(client, "/callbacks", query_string={"status": "done"}).get_data(as_text=True)
    assert "客户确认已收到补寄材料。" in done
