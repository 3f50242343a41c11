"""The campaign's summary, read from the database so that it always agrees with it."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from dialer.ivr.items import call_context, standing
from dialer.model import (
    Answer,
    Attempt,
    AttemptOutcome,
    Customer,
    Database,
    Escalation,
    ProblemCase,
    Recording,
    Task,
    TaskStatus,
)
from dialer.model.states import label
from dialer.services import Services

DECIDED = (TaskStatus.SUCCEEDED, TaskStatus.PROBLEM)


@dataclass
class DemoSummary:
    tasks: int = 0
    dialled: int = 0
    succeeded: int = 0
    problem: int = 0
    wrong_person: int = 0
    unreachable: int = 0
    escalated: int = 0
    recordings: int = 0
    answer_clips: int = 0
    problem_cases: list[dict[str, str]] = field(default_factory=list)
    # Tasks whose customer was reached but not every required item has a 是/否: never counted as succeeded.
    with_open_items: int = 0
    open_items: list[dict[str, Any]] = field(default_factory=list)
    by_task: list[dict[str, Any]] = field(default_factory=list)
    # How answers were heard ("stream": live by `dialer ear`; "record": `<Record>` clips), and the silence the
    # customer heard between the end of each answer and the next prompt, from the full-call recordings.
    listening: str = "record"
    dead_air: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def note_dead_air(self, listening: str, gaps: list[float]) -> None:
        """Keep how answers were heard and the median and 95th percentile of the silence after them."""
        self.listening = listening
        ordered = sorted(gaps)
        if not ordered:
            self.dead_air = {"answers": 0}
            return
        p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
        self.dead_air = {
            "answers": len(ordered), "median_s": round(statistics.median(ordered), 2), "p95_s": round(p95, 2),
        }  # fmt: skip


def _count(db: Database, stmt: Any) -> int:
    with db.session() as s:
        return int(s.scalar(stmt) or 0)


def summarise(db: Database, services: Services | None = None) -> DemoSummary:
    """Count what the campaign did: calls placed, outcomes, escalations, stored recordings, problem cases."""
    tasks_by = lambda status: select(func.count()).select_from(Task).where(Task.status == status)  # noqa: E731
    out = DemoSummary(
        tasks=_count(db, select(func.count()).select_from(Task)),
        dialled=_count(db, select(func.count()).select_from(Attempt).where(Attempt.call_sid.is_not(None))),
        succeeded=_count(db, tasks_by(TaskStatus.SUCCEEDED)),
        problem=_count(db, tasks_by(TaskStatus.PROBLEM)),
        unreachable=_count(db, tasks_by(TaskStatus.UNREACHABLE)),
        wrong_person=_count(
            db,
            select(func.count(distinct(Attempt.task_id))).where(
                Attempt.outcome == AttemptOutcome.WRONG_PERSON
            ),
        ),
        escalated=_count(db, select(func.count(distinct(Escalation.attempt_id)))),
        recordings=_count(
            db,
            select(func.count())
            .select_from(Recording)
            .where(Recording.kind == "call", Recording.status == "stored"),
        ),
        answer_clips=_count(db, select(func.count()).select_from(Recording).where(Recording.kind == "clip")),
    )
    with db.session() as s:
        rows = s.execute(
            select(
                Customer.name,
                ProblemCase.question_text,
                ProblemCase.answer_label,
                Answer.transcript,
                Answer.keys,
            )
            .join(Task, Task.id == ProblemCase.task_id)
            .join(Customer, Customer.id == Task.customer_id)
            .outerjoin(Answer, Answer.id == ProblemCase.answer_id)
            .order_by(ProblemCase.id)
        )
        out.problem_cases = [
            {"customer": n, "question": q, "answer": _answer(label, transcript, keys)}
            for n, q, label, transcript, keys in rows
        ]
        for t in s.scalars(select(Task).order_by(Task.id)):
            out.by_task.append({
                "task_id": t.id, "customer": t.customer.name, "type": t.type, "status": t.status,
                "attempts": [a.outcome or a.status for a in t.attempts],
            })  # fmt: skip
        if services is not None:
            out.open_items = open_items(s, services)
            out.with_open_items = len(out.open_items)
    return out


def open_items(s: Session, svc: Services) -> list[dict[str, Any]]:
    """Return each task that reached its customer but still has required items without a 是/否."""
    reached = select(Attempt.task_id).where(Attempt.outcome == AttemptOutcome.OPEN)
    q = select(Task).where(Task.id.in_(reached), Task.status.not_in(DECIDED)).order_by(Task.id)
    found = []
    for task in s.scalars(q):
        last = task.attempts[-1] if task.attempts else None
        script = svc.scripts.heard_on(s, last) if last is not None else svc.scripts.current(s, task.script)
        if script is None:
            continue
        ctx = call_context(svc.settings, svc.task_types, task, svc.clock.now())
        items = standing(s, script, ctx, task).open
        found.append({
            "task_id": task.id, "customer": task.customer.name, "status": str(task.status),
            "status_label": label(TaskStatus(task.status)), "items": [i.text for i in items],
        })  # fmt: skip
    return found


def _answer(label: str, transcript: str | None, keys: str | None) -> str:
    words = {"no": "否", "yes": "是", "unclear": "听不清", "agent": "转人工", "no_answer": "无回答"}
    heard = f"按键 {keys}" if keys else (transcript or "")
    return f"{words.get(label, label)}（{heard}）" if heard else words.get(label, label)
