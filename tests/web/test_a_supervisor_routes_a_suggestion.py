"""A supervisor reads a customer's suggestion and routes it to a department; an agent cannot; it is audited."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import Answer, AuditEntry, Database, ProblemCase, Suggestion
from tests.web.seed import NOW, Seeded, get, post, sign_in

SAID = "希望理赔材料能少一些"


def test_a_supervisor_routes_a_suggestion_to_a_department(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    with database.session() as s, s.begin():
        answer = s.scalars(select(Answer).where(Answer.attempt_id == seeded.attempt)).first()
        assert answer is not None
        cases = s.query(ProblemCase).count()
        s.add(Suggestion(attempt_id=seeded.attempt, task_id=seeded.task, answer_id=answer.id, clip_id=seeded.clip,
                         question_id="suggestions", question_text="请问您还有什么意见或建议吗？", status="new",
                         transcript=SAID, created_at=NOW))  # fmt: skip
    sign_in(client, "agent")
    assert get(client, "/suggestions").status_code == 403

    other = client.application.test_client()
    sign_in(other, "supervisor")
    page = get(other, "/suggestions").get_data(as_text=True)
    assert SAID in page and "待分派" in page
    with database.session() as s:
        sid = s.scalars(select(Suggestion.id)).one()
    post(other, f"/suggestions/{sid}/route", {"department": ""}, page="/suggestions")
    assert "请填写要转交的部门名称" in get(other, "/suggestions").get_data(as_text=True)
    post(other, f"/suggestions/{sid}/route", {"department": "理赔部"}, page="/suggestions")
    with database.session() as s:
        row = s.get_one(Suggestion, sid)
        assert (row.status, row.department, row.routed_by) == ("routed", "理赔部", "zhao_sup")
        assert s.query(ProblemCase).count() == cases  # a suggestion is never a problem case
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "suggestion_route"))
        assert entry.detail["department"] == "理赔部"
    assert "已转交部门：理赔部" in get(other, "/suggestions").get_data(as_text=True)
