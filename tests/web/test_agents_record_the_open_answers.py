"""An agent records the open items of a handed-over call: 是 / 否 / 未能确认, each answer named and dated."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.ivr.conversation import Conversation
from dialer.ivr.values import AgentBridged
from dialer.model import Answer, AttemptOutcome, AuditEntry, Database, ProblemCase, Task, TaskStatus
from dialer.model.calls import Attempt
from dialer.services import services
from tests.web.handover import ANSWERED, Handover, copy_scripts, seed_handover
from tests.web.seed import NOW, Seeded, csrf_token, get, sign_in

OPEN_ITEMS = [
    "signed_personally", "contract_received", "read_description", "read_risk_notice", "coverage_understood",
    "exclusions_understood", "term_understood", "surrender_loss", "cooling_off", "payment_years",
    "payment_frequency", "no_kickback", "no_extra_promise",
]  # fmt: skip
# The two last questions are bad on 是 (a kickback, a promise of extra returns): 否 is the good answer.
GOOD = {q: "no" if q in ("no_kickback", "no_extra_promise") else "yes" for q in OPEN_ITEMS}


@pytest.fixture
def handover(app: Flask, database: Database, seeded: Seeded) -> Handover:
    copy_scripts(services(app).settings.scripts_dir)
    return seed_handover(database, seeded.users["agent"])


def _answers(client: FlaskClient, url: str, chosen: dict[str, str], **notes: str) -> str:
    token = csrf_token(client, url)
    form = {f"answer-{q}": v for q, v in chosen.items()} | {f"note-{q}": n for q, n in notes.items()}
    resp = client.post(f"{url}/answers", data={**form, "csrf_token": token}, follow_redirects=True)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _task(database: Database, h: Handover) -> tuple[Task, Attempt]:
    with database.session() as s:
        task, attempt = s.get_one(Task, h.task), s.get_one(Attempt, h.attempt)
        s.expunge_all()
    return task, attempt


def test_the_page_shows_the_open_questions_as_the_customer_heard_them(
    client: FlaskClient, handover: Handover
) -> None:
    sign_in(client, "agent")
    page = get(client, f"/escalations/{handover.escalation}").get_data(as_text=True)
    for q in OPEN_ITEMS:
        assert f'name="answer-{q}"' in page, q
    assert f'name="answer-{ANSWERED}"' not in page  # answered 是 to the robot already
    assert "您的保单有15天的犹豫期" in page  # filled with the task type's 犹豫期, as spoken
    assert "机器人（自动语音）" in page and "未能确认" in page


def test_all_open_items_answered_make_the_follow_up_succeed(
    client: FlaskClient, database: Database, handover: Handover, seeded: Seeded
) -> None:
    sign_in(client, "agent")
    page = _answers(client, f"/escalations/{handover.escalation}", GOOD, contract_received="上周收到")
    assert "回访成功" in page
    task, attempt = _task(database, handover)
    assert (task.status, attempt.outcome) == (TaskStatus.SUCCEEDED, AttemptOutcome.SUCCEEDED)
    with database.session() as s:
        rows = s.scalars(select(Answer).where(Answer.recorded_by_id.is_not(None))).all()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "record_answers")).one()
    assert sorted(r.question_id for r in rows) == sorted(OPEN_ITEMS)
    assert {r.recorded_by_id for r in rows} == {seeded.users["agent"]} and {r.created_at for r in rows} == {
        NOW
    }
    assert [r.note for r in rows if r.question_id == "contract_received"] == ["上周收到"]
    assert entry.target == f"escalation:{handover.escalation}" and entry.actor == "li_agent"


def test_a_no_files_a_problem_case_by_the_robots_rules(
    client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    page = _answers(client, f"/escalations/{handover.escalation}", {**GOOD, "contract_received": "no"})
    assert "问题件" in page
    task, attempt = _task(database, handover)
    assert (task.status, attempt.outcome) == (TaskStatus.PROBLEM, AttemptOutcome.PROBLEM)
    with database.session() as s:
        [case] = s.scalars(select(ProblemCase).where(ProblemCase.task_id == handover.task)).all()
        assert case.question_id == "contract_received" and case.answer_label == "no"
        assert case.due_at is not None and case.answer is not None and case.answer.recorded_by_id is not None


def test_not_confirmed_leaves_the_item_open_and_the_task_to_the_attempt_rules(
    client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    page = _answers(client, f"/escalations/{handover.escalation}", {**GOOD, "surrender_loss": "unclear"})
    assert "仍有 1 个问题未得到确认" in page
    task, attempt = _task(database, handover)
    assert (task.status, attempt.outcome) == (TaskStatus.PENDING, AttemptOutcome.OPEN)
    assert task.next_attempt_at is not None
    page = get(client, f"/escalations/{handover.escalation}").get_data(as_text=True)
    assert 'name="answer-surrender_loss"' in page and 'name="answer-contract_received"' not in page


def test_a_callback_records_the_rest_and_decides_the_task(
    client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    _answers(client, f"/callbacks/{handover.callback}", {q: GOOD[q] for q in OPEN_ITEMS[:5]})
    assert _task(database, handover)[0].status == TaskStatus.PENDING
    page = _answers(client, f"/callbacks/{handover.callback}", {q: GOOD[q] for q in OPEN_ITEMS[5:]})
    assert "回访成功" in page and _task(database, handover)[0].status == TaskStatus.SUCCEEDED


def test_bad_input_is_refused_in_plain_words_and_stores_nothing(
    client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    url = f"/escalations/{handover.escalation}"
    page = _answers(client, url, {"contract_received": "maybe"})
    assert "第 2 题的回答“maybe”无效" in page
    page = _answers(client, url, {})
    assert "没有选择任何回答" in page
    resp = client.post(f"{url}/answers", data={"answer-contract_received": "yes"})  # no CSRF token
    assert resp.status_code == 400
    with database.session() as s:
        assert s.scalars(select(Answer).where(Answer.recorded_by_id.is_not(None))).all() == []


@pytest.mark.parametrize("role", ["compliance", "supervisor"])
def test_only_the_agent_on_the_call_or_a_supervisor_may_record(
    app: Flask, client: FlaskClient, database: Database, handover: Handover, role: str
) -> None:
    sign_in(client, role)
    status = get(client, f"/escalations/{handover.escalation}").status_code
    assert status == (404 if role == "compliance" else 200)
    other = seed_handover(database, handover_agent_other(database), name="赵敏")
    assert get(client, f"/escalations/{other.escalation}").status_code == (
        404 if role == "compliance" else 200
    )
    agent = app.test_client()
    sign_in(agent, "agent")
    assert get(agent, f"/escalations/{other.escalation}").status_code == 404  # another agent's call
    assert get(agent, f"/escalations/{handover.escalation}").status_code == 200


def handover_agent_other(database: Database) -> int:
    from dialer.model import Role, User

    with database.session() as s, s.begin():
        u = User(username="other_agent", role=Role.AGENT, password_hash="x", phone="+8613900002222")
        s.add(u)
        s.flush()
        return u.id


def test_answers_recorded_during_the_live_call_decide_it_when_the_queue_lets_go(
    app: Flask, client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    svc = services(app)
    copy_scripts(svc.settings.scripts_dir)
    live = seed_handover(database, seeded.users["agent"], live=True)
    sign_in(client, "agent")
    page = _answers(client, f"/escalations/{live.escalation}", GOOD)
    assert _task(database, live)[1].outcome is None  # the call is on: the conversation decides
    with database.session() as s, s.begin():
        attempt = s.get_one(Attempt, live.attempt)
        Conversation(svc).advance(s, attempt, AgentBridged(), NOW)
        assert attempt.outcome == AttemptOutcome.SUCCEEDED
    assert "回答已保存" in page


def test_the_call_page_and_its_evidence_name_who_recorded_each_answer(
    app: Flask, client: FlaskClient, handover: Handover
) -> None:
    import io
    import zipfile

    sign_in(client, "agent")
    _answers(
        client,
        f"/escalations/{handover.escalation}",
        {"contract_received": "yes"},
        contract_received="已收到",
    )
    officer = app.test_client()
    sign_in(officer, "compliance")
    page = get(officer, f"/calls/{handover.attempt}").get_data(as_text=True)
    assert page.count("机器人（自动语音）") == 2 and "李专员" in page and "已收到" in page
    bundle = zipfile.ZipFile(io.BytesIO(get(officer, f"/calls/{handover.attempt}/evidence.zip").data))
    transcript = next(
        bundle.read(n).decode() for n in bundle.namelist() if n.endswith(".txt") and "transcript" in n
    )
    assert "记录: 坐席 李专员（li_agent）" in transcript and "坐席备注: 已收到" in transcript
    assert transcript.count("记录: 机器人（自动语音）") == 2
