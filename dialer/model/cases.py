"""Problem cases (问题件) and their notes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dialer.clock import utcnow
from dialer.model.base import Base, CaseStatus
from dialer.model.calls import Answer
from dialer.model.tasks import Task
from dialer.policy.calendar import WorkCalendar
from dialer.policy.cases import REPAIR_TYPES, CaseRules, problem_due_at, repeat_kind, same_item

# Columns of a call list that name what was sold or repaired (the same ones the scripts speak as {product}).
ITEM_COLUMNS = ("产品名称", "险种", "产品", "服务项目", "维修项目", "product")


class ProblemCase(Base):
    """A bad or unclear answer that someone other than the seller must work until closed."""

    __tablename__ = "problem_cases"
    __table_args__ = (Index("ix_problem_cases_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id"), unique=True)
    question_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str] = mapped_column(Text)
    answer_label: Mapped[str] = mapped_column(String(20))
    transcript: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CaseStatus] = mapped_column(String(20), default=CaseStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(100))
    repeat: Mapped[bool] = mapped_column(default=False)
    repeat_kind: Mapped[str | None] = mapped_column(String(20))  # a policy.cases.RepeatKind
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    answer: Mapped[Answer | None] = relationship()
    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id", cascade="all, delete-orphan")


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("problem_cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseSettings(Protocol):
    """The settings a new case reads (dialer.settings.Settings has them)."""

    @property
    def problem_sla_working_days(self) -> int: ...
    @property
    def repeat_window_days(self) -> int: ...
    @property
    def timezone(self) -> str: ...


def case_rules(settings: CaseSettings, calendar: WorkCalendar) -> CaseRules:
    """Return the rules a new problem case is filed by."""
    return CaseRules(
        sla_working_days=settings.problem_sla_working_days,
        repeat_window_days=settings.repeat_window_days,
        timezone=settings.timezone,
        calendar=calendar,
    )


def file_problem_case(
    s: Session, calendar: WorkCalendar, settings: CaseSettings, case: ProblemCase
) -> ProblemCase:
    """Add a new case with its working-day due date and its repeat flag, and return it."""
    rules = case_rules(settings, calendar)
    case.due_at = problem_due_at(case.created_at, rules)
    task = s.get(Task, case.task_id)
    if task is not None:
        kind = find_repeat(s, task, case.question_id, case.created_at, rules)
        case.repeat, case.repeat_kind = kind is not None, kind
    s.add(case)
    return case


def find_repeat(s: Session, task: Task, question_id: str, opened: datetime, rules: CaseRules) -> str | None:
    """Return why a case about `question_id` on `task` repeats earlier ones in the window, or None."""
    since = rules.window_start(opened)
    earlier = s.scalar(
        select(func.count())
        .select_from(ProblemCase)
        .join(Task, Task.id == ProblemCase.task_id)
        .where(Task.customer_id == task.customer_id, ProblemCase.question_id == question_id)
        .where(ProblemCase.created_at >= since, ProblemCase.created_at <= opened)
    )
    repairs = 0
    if task.type in REPAIR_TYPES:
        others = s.scalars(
            select(Task.extra).where(
                Task.customer_id == task.customer_id, Task.type == task.type, Task.event_at >= since
            )
        ).all()
        repairs = same_item(item_of(task.extra), [item_of(extra) for extra in others])
    return repeat_kind(task.type, earlier or 0, repairs, rules)


def item_of(extra: str | None) -> str | None:
    """Return what a task's source row says was sold or repaired, if any."""
    try:
        values = json.loads(extra) if extra else {}
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    return next((str(values[c]).strip() for c in ITEM_COLUMNS if values.get(c)), None)
