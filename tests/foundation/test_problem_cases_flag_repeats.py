"""Repeats (DOMAIN.md, "Verdicts, precisely"): a problem on the same question twice within the window is a
repeat complaint; the same repair three times is a repeat repair. Filed through the function the IVR uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dialer.model import Attempt, Customer, Database, ProblemCase, Task
from dialer.model.cases import file_problem_case
from dialer.policy.calendar import WorkCalendar
from dialer.policy.cases import RepeatKind
from dialer.settings import Settings

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
CALENDAR = WorkCalendar()


def _task(s: Session, customer: Customer, kind: str, event_at: datetime, item: str | None = None) -> Task:
    extra = json.dumps({"维修项目": item}, ensure_ascii=False) if item else None
    task = Task(
        customer=customer, type=kind, script=kind, event_at=event_at, earliest_at=event_at, extra=extra
    )
    s.add(task)
    s.flush()
    return task


def _file(
    s: Session, task: Task, question: str, at: datetime, settings: Settings | None = None
) -> ProblemCase:
    attempt = Attempt(
        task=task, number=len(task.attempts) + 1, to_number=task.customer.phone, script=task.script
    )
    s.add(attempt)
    s.flush()
    case = ProblemCase(task_id=task.id, attempt_id=attempt.id, question_id=question, question_text="问题",
                       answer_label="no", created_at=at)  # fmt: skip
    file_problem_case(s, CALENDAR, settings or Settings(), case)
    s.flush()
    return case


def test_the_same_question_twice_in_a_year_is_a_repeat_complaint(db: Database) -> None:
    with db.session() as s, s.begin():
        wang = Customer(name="王芳", phone="+8613900000001")
        first = _file(
            s, _task(s, wang, "complaint", NOW - timedelta(days=200)), "resolved", NOW - timedelta(days=190)
        )
        other = _file(
            s, _task(s, wang, "complaint", NOW - timedelta(days=40)), "satisfied", NOW - timedelta(days=30)
        )
        second = _file(s, _task(s, wang, "complaint", NOW - timedelta(days=5)), "resolved", NOW)

        assert (first.repeat, other.repeat) == (False, False)  # a first time, and another matter
        assert second.repeat and second.repeat_kind == RepeatKind.COMPLAINT
        assert second.due_at is not None and second.due_at > NOW


def test_another_customer_or_an_old_case_is_no_repeat(db: Database) -> None:
    with db.session() as s, s.begin():
        wang = Customer(name="王芳", phone="+8613900000001")
        li = Customer(name="李雷", phone="+8613900000002")
        _file(
            s, _task(s, wang, "complaint", NOW - timedelta(days=400)), "resolved", NOW - timedelta(days=366)
        )
        _file(s, _task(s, li, "complaint", NOW - timedelta(days=20)), "resolved", NOW - timedelta(days=10))
        later = _file(s, _task(s, wang, "complaint", NOW - timedelta(days=3)), "resolved", NOW)

        assert not later.repeat and later.repeat_kind is None


def test_the_window_is_a_setting(db: Database) -> None:
    short = Settings(repeat_window_days=30)
    with db.session() as s, s.begin():
        wang = Customer(name="王芳", phone="+8613900000001")
        _file(s, _task(s, wang, "claim", NOW - timedelta(days=70)), "paid_on_time", NOW - timedelta(days=60))
        later = _file(s, _task(s, wang, "claim", NOW - timedelta(days=3)), "paid_on_time", NOW, short)

        assert not later.repeat


def test_the_third_repair_of_the_same_item_is_a_repeat_repair(db: Database) -> None:
    with db.session() as s, s.begin():
        zhao = Customer(name="赵强", phone="+8613900000003")
        _task(s, zhao, "repair", NOW - timedelta(days=150), "空调")
        _task(s, zhao, "repair", NOW - timedelta(days=90), "热水器")  # another item
        second = _file(
            s, _task(s, zhao, "repair", NOW - timedelta(days=60), "空调"), "fixed", NOW - timedelta(days=50)
        )
        third = _file(s, _task(s, zhao, "repair", NOW - timedelta(days=8), "空调"), "on_time", NOW)

        assert not second.repeat  # two repairs of the air conditioner: not yet
        assert third.repeat and third.repeat_kind == RepeatKind.REPAIR
