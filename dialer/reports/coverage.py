"""Coverage targets (回访率) per task type, watched over the plans still running.

A type is flagged when its running plans will miss the target even if every open task is reached before its
deadline: the tasks already lost (unreachable, invalid, or still open past their deadline) are too many.
Tasks left out by sampling are not due, and are counted apart; plans waiting for approval are shown apart too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from dialer.model import ImportBatch, Task, TaskStatus
from dialer.model.batches import PlanStatus
from dialer.policy.rules import TaskTypeRules

# A task closed by a completed manual follow-up (机构自访) is reached too, as the monthly report's 回访率 counts it.
REACHED = (TaskStatus.SUCCEEDED, TaskStatus.PROBLEM, TaskStatus.FOLLOWED_UP)
LOST = (TaskStatus.UNREACHABLE, TaskStatus.INVALID)
OPEN = (TaskStatus.PENDING, TaskStatus.DIALLING)


@dataclass(frozen=True)
class CoverageRow:
    """One task type's running plans against its coverage target."""

    type_id: str
    name: str
    target: float
    due: int = 0  # tasks of running plans, sampled-out and cancelled ones excluded
    reached: int = 0
    lost: int = 0
    open: int = 0
    not_sampled: int = 0
    awaiting_approval: int = 0  # tasks of plans not yet approved: not due until they are

    @property
    def best(self) -> float | None:
        """Return the share reached if every open task is reached in time (None: nothing due)."""
        return None if self.due == 0 else (self.due - self.lost) / self.due

    @property
    def reached_share(self) -> float | None:
        return None if self.due == 0 else self.reached / self.due

    @property
    def will_miss(self) -> bool:
        best = self.best
        return best is not None and best < self.target - 1e-9


def coverage_rows(session: Session, types: Mapping[str, TaskTypeRules], now: datetime) -> list[CoverageRow]:
    """Return each task type's coverage over its running plans (approved, with tasks still open)."""
    running = select(ImportBatch.id).where(
        ImportBatch.status == PlanStatus.APPROVED,
        exists().where(Task.import_batch_id == ImportBatch.id, Task.status.in_(OPEN)),
    )
    overdue = and_(Task.status.in_(OPEN), Task.deadline_at.is_not(None), Task.deadline_at < now)

    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    q = (
        select(Task.type, n(Task.status.in_(REACHED)), n(Task.status.in_(LOST) | overdue),
               n(Task.status.in_(OPEN) & ~overdue), n(Task.status == TaskStatus.NOT_SAMPLED))
        .where(Task.import_batch_id.in_(running.scalar_subquery()))
        .group_by(Task.type)
    )  # fmt: skip
    figures = {t: (int(r), int(lost), int(o), int(ns)) for t, r, lost, o, ns in session.execute(q)}
    waiting = dict(session.execute(
        select(ImportBatch.task_type, func.coalesce(func.sum(ImportBatch.imported), 0))
        .where(ImportBatch.status.in_((PlanStatus.PENDING, PlanStatus.LOADING)))
        .group_by(ImportBatch.task_type)
    ).all())  # fmt: skip
    rows = []
    for type_id, rules in types.items():
        reached, lost, open_, not_sampled = figures.get(type_id, (0, 0, 0, 0))
        rows.append(CoverageRow(type_id, rules.name, rules.coverage_target, reached + lost + open_, reached, lost,
                                open_, not_sampled, int(waiting.get(type_id, 0))))  # fmt: skip
    return [r for r in rows if r.due or r.not_sampled or r.awaiting_approval]


def coverage_warnings(rows: list[CoverageRow]) -> list[str]:
    """Return one sentence, for people, per type whose running plans will miss the target."""
    return [
        f"{r.name}：进行中的计划最多只能达到 {r.best:.0%}，低于回访率目标 {r.target:.0%}"
        f"（应回访 {r.due}，已无法完成 {r.lost}，尚未完成 {r.open}）"
        for r in rows
        if r.will_miss and r.best is not None
    ]
