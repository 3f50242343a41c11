"""Repeating follow-ups after a call: a lead's next call, dated by its grade, until an agent closes the lead.

The series that an event fixes in advance (出院 three calls, 特约服务 two, new employees two) are written at
import. A lead's series is open-ended: `schedule_next_call` is for the code that settles a call's outcome to
call once the call is over, whatever its outcome, so the next one is dated from this one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.model.base import FINAL_STATUSES, TaskStatus
from dialer.model.tasks import Task
from dialer.policy.rules import TaskTypeRules
from dialer.policy.series import next_lead_call

LEAD_CLOSED = "lead_closed"  # last_error of a lead's open call when an agent closes the lead


def schedule_next_call(
    session: Session, task: Task, rules: TaskTypeRules, called_at: datetime
) -> Task | None:
    """After a call of an open-ended series, add its next call (grade days later); return it, or None.

    Nothing is added for a type without grades, for a task that is not yet final, for a closed lead, or when
    the next call exists already (so calling this twice for one call adds one task).
    """
    if not rules.grade_days or task.status not in FINAL_STATUSES or task.status == TaskStatus.CANCELLED:
        return None
    if task.status == TaskStatus.NOT_SAMPLED or task.series_closed_at is not None:
        return None
    step = next_lead_call(rules, task.grade, called_at)
    if step is None:
        return None
    exists = session.scalar(
        select(Task.id).where(Task.customer_id == task.customer_id, Task.type == task.type,
                              Task.event_at == task.event_at, Task.series_step == task.series_step + 1)
    )  # fmt: skip
    if exists is not None:
        return None
    nxt = Task(
        customer_id=task.customer_id, type=task.type, script=task.script, event_at=task.event_at,
        earliest_at=step.earliest, deadline_at=step.deadline, status=TaskStatus.PENDING, attempt_count=0,
        next_attempt_at=step.earliest, department=task.department, seller=task.seller, extra=task.extra,
        import_batch_id=task.import_batch_id, source_row=task.source_row, series_step=task.series_step + 1,
        series_total=None, grade=task.grade,
    )  # fmt: skip
    session.add(nxt)
    session.flush()
    return nxt


def close_lead(session: Session, task: Task, now: datetime) -> int:
    """Close a lead's series (converted or given up): cancel its open calls; return how many were cancelled.

    Every task of the series is marked closed, so a call in progress right now adds no next call when it ends.
    """
    series = (Task.customer_id == task.customer_id, Task.type == task.type, Task.event_at == task.event_at)
    session.execute(
        update(Task).where(*series).values(series_closed_at=now).execution_options(synchronize_session=False)
    )
    result = session.execute(
        update(Task)
        .where(*series, Task.status == TaskStatus.PENDING)
        .values(status=TaskStatus.CANCELLED, next_attempt_at=None, closed_at=now, last_error=LEAD_CLOSED)
        .execution_options(synchronize_session=False)
    )
    session.expire(task)
    return int(getattr(result, "rowcount", 0) or 0)
