"""The data model round-trips on SQLite and PostgreSQL, in UTC, with its constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialer.model import (
    Answer,
    Attempt,
    AttemptEvent,
    AuditEntry,
    CaseStatus,
    Customer,
    Database,
    OptOut,
    ProblemCase,
    Recording,
    Role,
    Task,
    TaskStatus,
    User,
)

EVENT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def make_task(db: Database) -> int:
    with db.session() as s, s.begin():
        c = Customer(name="张三", phone="+8613812345678", birth_year=1958)
        t = Task(customer=c, type="new_policy", script="new_policy", event_at=EVENT, earliest_at=EVENT,
                 deadline_at=EVENT + timedelta(days=15), next_attempt_at=EVENT, department="个险部")  # fmt: skip
        s.add(t)
        s.flush()
        return t.id


def test_a_whole_call_record_round_trips(db: Database) -> None:
    task_id = make_task(db)
    with db.session() as s, s.begin():
        task = s.get(Task, task_id)
        assert task is not None
        attempt = Attempt(task=task, number=1, call_sid="CA" + "a" * 32, to_number=task.customer.phone,
                          script=task.script, placed_at=EVENT, ivr_state={"question": "q3", "reasks": 1})  # fmt: skip
        s.add(attempt)
        s.flush()
        s.add(
            AttemptEvent(attempt_id=attempt.id, kind="status", name="ringing", sequence=1, data={"x": "是"})
        )
        clip = Recording(
            attempt_id=attempt.id, kind="clip", gateway_sid="RE" + "b" * 32, path="2026/11/c.wav"
        )
        s.add(clip)
        s.flush()
        answer = Answer(attempt_id=attempt.id, question_id="q3", question_text="您是否清楚退保损失？",
                        clip_id=clip.id, transcript="不 是", label="no", problem=True)  # fmt: skip
        s.add(answer)
        s.flush()
        s.add(ProblemCase(task_id=task.id, attempt_id=attempt.id, answer_id=answer.id, question_id="q3",
                          question_text=answer.question_text, answer_label="no", department="个险部"))  # fmt: skip
    with db.session() as s:
        case = s.scalars(select(ProblemCase)).one()
        assert case.status == CaseStatus.OPEN
        assert case.answer is not None and case.answer.clip is not None
        assert case.answer.clip.path == "2026/11/c.wav"
        attempt = s.scalars(select(Attempt)).one()
        assert attempt.ivr_state == {"question": "q3", "reasks": 1}
        assert attempt.events[0].data == {"x": "是"}
        assert attempt.task.customer.age_at(2026) == 68


def test_instants_come_back_as_aware_utc(db: Database) -> None:
    task_id = make_task(db)
    shanghai = timezone(timedelta(hours=8))
    with db.session() as s, s.begin():
        task = s.get(Task, task_id)
        assert task is not None
        task.next_attempt_at = datetime(2026, 11, 23, 10, 30, tzinfo=shanghai)
    with db.session() as s:
        task = s.get(Task, task_id)
        assert task is not None and task.next_attempt_at is not None
        assert task.next_attempt_at.tzinfo is not None
        assert task.next_attempt_at == datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
        assert task.status == TaskStatus.PENDING


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with db.session() as s, pytest.raises(Exception, match="naive datetime"), s.begin():
        s.add(Customer(name="李四", phone="+8613900000000", created_at=datetime(2026, 1, 1)))


def test_one_task_per_customer_type_and_event(db: Database) -> None:
    task_id = make_task(db)
    with db.session() as s, pytest.raises(IntegrityError), s.begin():
        task = s.get(Task, task_id)
        assert task is not None
        s.add(Task(customer_id=task.customer_id, type="new_policy", script="new_policy", event_at=EVENT,
                   earliest_at=EVENT))  # fmt: skip


def test_a_call_sid_belongs_to_one_attempt(db: Database) -> None:
    task_id = make_task(db)
    with db.session() as s, pytest.raises(IntegrityError), s.begin():
        for n in (1, 2):
            s.add(Attempt(task_id=task_id, number=n, call_sid="CA" + "c" * 32, to_number="+86", script="x"))


def test_users_opt_outs_and_audit_entries_store(db: Database) -> None:
    with db.session() as s, s.begin():
        s.add(User(username="wang", role=Role.COMPLIANCE, password_hash="x"))
        s.add(OptOut(phone="+8613812345678", task_type=None, reason="客户要求不再来电"))
        s.add(
            AuditEntry(actor="wang", action="replay", target="recording:1", prev_hash="0" * 64, hash="1" * 64)
        )
    with db.session() as s:
        assert s.scalars(select(User)).one().role == "compliance"
        assert s.scalars(select(OptOut)).one().task_type is None
        assert s.scalars(select(AuditEntry)).one().at.tzinfo is not None
