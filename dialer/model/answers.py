"""A task's answers across its calls, and the answers an agent records while talking with the customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.model.calls import Answer, Attempt
from dialer.model.cases import CaseSettings, ProblemCase, file_problem_case
from dialer.model.tasks import Task
from dialer.policy.calendar import WorkCalendar
from dialer.policy.verdicts import ItemAnswer

# What an agent may record for one item: 是, 否, or 未能确认 (stored as "unclear"; the item stays open).
AGENT_CHOICES = {"yes": "是", "no": "否", "unclear": "未能确认"}


@dataclass(frozen=True)
class AgentAnswer:
    """One item as the agent recorded it: the question as the customer heard it, the choice and a note."""

    question_id: str
    question_text: str
    label: str  # one of AGENT_CHOICES
    problem: bool  # the question's bad answer: files a problem case, as the robot's would
    note: str = ""


def item_answers(s: Session, task_id: int) -> list[ItemAnswer]:
    """Return every final answer of the task's calls, in the order they were recorded."""
    rows = s.execute(
        select(Answer.question_id, Answer.label, Answer.problem)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.task_id == task_id, Answer.final.is_(True))
        .order_by(Answer.created_at, Answer.id)
    )
    return [ItemAnswer(q, label, bool(problem)) for q, label, problem in rows]


def record_agent_answers(
    s: Session, attempt: Attempt, answers: list[AgentAnswer], agent_id: int, now: datetime,
    calendar: WorkCalendar, settings: CaseSettings,
) -> list[Answer]:  # fmt: skip
    """Store the agent's answers on the call they belong to; a bad answer files a problem case."""
    turn = (s.scalar(select(func.max(Answer.turn)).where(Answer.attempt_id == attempt.id)) or 0) + 1
    task = s.get_one(Task, attempt.task_id)
    rows = []
    for a in answers:
        row = Answer(
            attempt_id=attempt.id, question_id=a.question_id, question_text=a.question_text, turn=turn,
            label=a.label, matched="agent", problem=a.problem, final=True, recorded_by_id=agent_id,
            note=a.note or None, transcript="", created_at=now,
        )  # fmt: skip
        s.add(row)
        s.flush()
        rows.append(row)
        if a.problem:
            file_problem_case(s, calendar, settings, ProblemCase(
                task_id=task.id, attempt_id=attempt.id, answer_id=row.id, question_id=a.question_id,
                question_text=a.question_text, answer_label=a.label, transcript=a.note,
                department=task.department, created_at=now,
            ))  # fmt: skip
    return rows
