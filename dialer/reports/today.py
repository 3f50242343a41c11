"""Today's progress per task type, and the pending tasks at risk of missing their deadline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.model import Attempt, Task, TaskStatus
from dialer.policy.calendar import WorkCalendar
from dialer.policy.deadlines import Risk, deadline_risk
from dialer.policy.rules import TaskTypeRules, Window
from dialer.policy.views import TaskView

# Far from its deadline a task cannot be at risk: even a Golden Week leaves windows. Looking further
# ahead than this only costs time on a big backlog.
RISK_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class ProgressRow:
    """One task type's figures for one local day."""

    type_id: str
    name: str
    dialled: int = 0
    succeeded: int = 0
    problem: int = 0
    unreachable: int = 0
    pending: int = 0

    @property
    def empty(self) -> bool:
        """Return whether the row has nothing to show (a task type not in use)."""
        return not (self.dialled or self.succeeded or self.problem or self.unreachable or self.pending)


@dataclass(frozen=True)
class AtRisk:
    """A pending task that may miss (or has missed) its deadline."""

    task: Task
    risk: Risk


def day_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the local day that contains `now`."""
    start = datetime.combine(now.astimezone(tz).date(), time(0), tz)
    return start, start + timedelta(days=1)


def progress_today(
    session: Session, types: Mapping[str, TaskTypeRules], tz: ZoneInfo, now: datetime
) -> list[ProgressRow]:
    """Return dialled, succeeded, problem, unreachable and pending counts per task type for today."""
    return progress_on(session, types, tz, now.astimezone(tz).date())


def progress_on(
    session: Session, types: Mapping[str, TaskTypeRules], tz: ZoneInfo, day: date
) -> list[ProgressRow]:
    """Return one local day's dialled, succeeded, problem and unreachable counts per task type.

    `pending` is what is still waiting now, whatever the day.
    """
    start = datetime.combine(day, time(0), tz)
    end = start + timedelta(days=1)
    dialled = dict(
        session.execute(
            select(Task.type, func.count(Attempt.id))
            .join(Attempt, Attempt.task_id == Task.id)
            .where(Attempt.placed_at >= start, Attempt.placed_at < end)
            .group_by(Task.type)
        ).all()
    )
    closed: dict[tuple[str, str], int] = {
        (t, str(s)): n
        for t, s, n in session.execute(
            select(Task.type, Task.status, func.count())
            .where(Task.closed_at >= start, Task.closed_at < end)
            .group_by(Task.type, Task.status)
        )
    }
    pending = dict(
        session.execute(
            select(Task.type, func.count()).where(Task.status == TaskStatus.PENDING).group_by(Task.type)
        ).all()
    )
    # Task types no longer configured still show, after the configured ones, each once.
    ids = list(types) + sorted((set(dialled) | set(pending) | {t for t, _ in closed}) - set(types))
    return [
        ProgressRow(
            t,
            types[t].name if t in types else t,
            dialled.get(t, 0),
            closed.get((t, TaskStatus.SUCCEEDED), 0),
            closed.get((t, TaskStatus.PROBLEM), 0),
            closed.get((t, TaskStatus.UNREACHABLE), 0),
            pending.get(t, 0),
        )
        for t in ids
    ]


def at_risk_tasks(
    session: Session,
    types: Mapping[str, TaskTypeRules],
    calendar: WorkCalendar,
    windows: Sequence[Window],
    now: datetime,
    limit: int = 200,
) -> list[AtRisk]:
    """Return pending tasks at risk of missing their deadline (or past it), earliest deadline first."""
    horizon = now + max((r.at_risk_before for r in types.values()), default=timedelta(0)) + RISK_HORIZON
    q = (
        select(Task)
        .where(Task.status == TaskStatus.PENDING, Task.deadline_at.is_not(None), Task.deadline_at < horizon)
        .order_by(Task.deadline_at, Task.id)
    )
    out: list[AtRisk] = []
    for task in session.scalars(q):
        rules = types.get(task.type)
        if rules is None:
            continue
        view = TaskView(
            id=task.id, timezone=task.customer.timezone, earliest_at=task.earliest_at,
            deadline_at=task.deadline_at, attempt_count=task.attempt_count,
        )  # fmt: skip
        risk = deadline_risk(view, rules, calendar, windows, now)
        if risk != Risk.OK:
            out.append(AtRisk(task, risk))
            if len(out) >= limit:
                break
    return out
