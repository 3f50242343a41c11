"""Plans (回访计划): each imported list, its approval, its sample, and the predicate that keeps it from dialling.

A plan's tasks are written while it is `loading`, wait while it is `pending`, and are dialled only once it is
`approved`. Rejecting or withdrawing a plan cancels its open tasks. The sample (抽样) is drawn when a plan is
approved (or when it is loaded, for types that need no approval): random, but seeded by the plan, recorded on
it, and the same on every draw.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import Session

from dialer.errors import DialerError
from dialer.model.audit import append_audit
from dialer.model.base import TaskStatus
from dialer.model.calls import Attempt
from dialer.model.tasks import ImportBatch, Task


class PlanStatus(StrEnum):
    LOADING = "loading"  # rows are being written; nothing of it is dialled
    PENDING = "pending"  # waiting for a supervisor's approval
    APPROVED = "approved"  # dialled
    REJECTED = "rejected"  # refused by a supervisor: its tasks are cancelled
    WITHDRAWN = "withdrawn"  # taken back before any call started: its tasks are cancelled
    FAILED = "failed"  # the import failed: its tasks were removed


class PlanError(DialerError):
    """A decision on a plan that its state does not allow; the message says why, for people."""


def plan_approved() -> ColumnElement[bool]:
    """SQL predicate: the task belongs to no plan (made before plans existed) or to an approved one."""
    approved = select(ImportBatch.id).where(ImportBatch.status == PlanStatus.APPROVED)
    return or_(Task.import_batch_id.is_(None), Task.import_batch_id.in_(approved.scalar_subquery()))


def get_plan(session: Session, plan_id: int) -> ImportBatch:
    """Return the plan or raise PlanError naming it."""
    plan = session.get(ImportBatch, plan_id)
    if plan is None:
        raise PlanError(f"没有编号为 {plan_id} 的回访计划。请用 `dialer batches list` 查看现有计划。")
    return plan


def approve(session: Session, plan: ImportBatch, by: str, now: datetime, sample_rate: float) -> None:
    """Approve a pending plan and draw its sample; the caller commits (and writes the audit entry)."""
    if plan.status != PlanStatus.PENDING:
        raise PlanError(
            f"回访计划 {plan.id} 当前状态为“{PLAN_WORDS[plan.status]}”，只有待审批的计划可以批准。"
        )
    _decide(plan, PlanStatus.APPROVED, by, now, None)
    draw_sample(session, plan, sample_rate, now)


def reject(session: Session, plan: ImportBatch, by: str, now: datetime, note: str) -> None:
    """Reject a pending plan and cancel its tasks; a reason is required."""
    if plan.status != PlanStatus.PENDING:
        raise PlanError(
            f"回访计划 {plan.id} 当前状态为“{PLAN_WORDS[plan.status]}”，只有待审批的计划可以驳回。"
        )
    if not note.strip():
        raise PlanError("驳回计划需要填写原因，以便导入人修改名单。")
    _decide(plan, PlanStatus.REJECTED, by, now, note.strip())
    _cancel_open_tasks(session, plan, now)


def withdraw(session: Session, plan: ImportBatch, by: str, now: datetime) -> None:
    """Withdraw a plan no call of which has started, and cancel its tasks."""
    if plan.status not in (PlanStatus.PENDING, PlanStatus.APPROVED):
        raise PlanError(f"回访计划 {plan.id} 当前状态为“{PLAN_WORDS[plan.status]}”，不能撤回。")
    started = session.scalar(
        select(exists().where(Attempt.task_id == Task.id, Task.import_batch_id == plan.id))
    )
    if started:
        raise PlanError(f"回访计划 {plan.id} 已经开始拨打，不能撤回。如需停止，请在话术管理中停用话术。")
    _decide(plan, PlanStatus.WITHDRAWN, by, now, None)
    _cancel_open_tasks(session, plan, now)


def decide(
    session: Session,
    plan_id: int,
    action: str,
    by: str,
    now: datetime,
    *,
    sample_rate: float = 1.0,
    note: str = "",
    ip: str | None = None,
) -> ImportBatch:
    """Approve, reject or withdraw a plan and append the audit entry, in the caller's transaction."""
    plan = get_plan(session, plan_id)
    if action == "approve":
        approve(session, plan, by, now, sample_rate)
    elif action == "reject":
        reject(session, plan, by, now, note)
    elif action == "withdraw":
        withdraw(session, plan, by, now)
    else:
        raise ValueError(action)
    detail = {
        "status": plan.status,
        "not_sampled": plan.not_sampled,
        "sample_seed": plan.sample_seed,
        "note": note,
    }
    append_audit(session, by, f"plan_{action}", f"batch:{plan.id}", detail, ip, at=now)
    return plan


def _decide(plan: ImportBatch, status: PlanStatus, by: str, now: datetime, note: str | None) -> None:
    plan.status, plan.decided_by, plan.decided_at, plan.decision_note = status, by[:64], now, note


def _cancel_open_tasks(session: Session, plan: ImportBatch, now: datetime) -> None:
    session.execute(
        update(Task)
        .where(Task.import_batch_id == plan.id, Task.status == TaskStatus.PENDING)
        .values(status=TaskStatus.CANCELLED, next_attempt_at=None, closed_at=now)
        .execution_options(synchronize_session=False)
    )


def sample_seed(plan: ImportBatch) -> str:
    """Return the seed of a plan's sample: its id and its file's checksum, so a draw can be repeated."""
    return f"{plan.id}:{plan.sha256}"


def choose_sample(seed: str, rows: list[int], rate: float) -> set[int]:
    """Return the source rows that are called: round(rate × n) of them, drawn by a generator seeded by `seed`."""
    keep = round(len(rows) * rate)
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
    return set(rng.sample(sorted(rows), keep))


def draw_sample(session: Session, plan: ImportBatch, rate: float, now: datetime) -> None:
    """Close the plan's tasks whose rows fall outside its sample as not_sampled, and record the draw."""
    plan.sample_rate, plan.sample_seed = rate, sample_seed(plan)
    if rate >= 1:
        plan.not_sampled = 0
        return
    rows: list[int] = [r for r in session.scalars(
        select(Task.source_row).where(Task.import_batch_id == plan.id, Task.source_row.is_not(None)).distinct()
    ) if r is not None]  # fmt: skip
    left_out = sorted(set(rows) - choose_sample(plan.sample_seed, rows, rate))
    for start in range(0, len(left_out), 500):
        session.execute(
            update(Task)
            .where(Task.import_batch_id == plan.id, Task.source_row.in_(left_out[start : start + 500]),
                   Task.status == TaskStatus.PENDING)
            .values(status=TaskStatus.NOT_SAMPLED, next_attempt_at=None, closed_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    plan.not_sampled = len(left_out)


def plan_counts(session: Session, plan_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return {plan id: {task status: count}} for these plans."""
    counts: dict[int, dict[str, int]] = {i: {} for i in plan_ids}
    if not plan_ids:
        return counts
    q = (
        select(Task.import_batch_id, Task.status, func.count())
        .where(Task.import_batch_id.in_(plan_ids))
        .group_by(Task.import_batch_id, Task.status)
    )
    for plan_id, status, n in session.execute(q):
        counts.setdefault(plan_id or 0, {})[str(status)] = n
    return counts


PLAN_WORDS: dict[str, str] = {
    PlanStatus.LOADING: "导入中", PlanStatus.PENDING: "待审批", PlanStatus.APPROVED: "已批准",
    PlanStatus.REJECTED: "已驳回", PlanStatus.WITHDRAWN: "已撤回", PlanStatus.FAILED: "导入失败",
}  # fmt: skip


def list_plans(session: Session, *, status: str | None = None, limit: int = 200) -> list[ImportBatch]:
    """Return the newest plans first, optionally in one status."""
    q = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    if status:
        q = q.where(ImportBatch.status == status)
    return list(session.scalars(q))


def sample_tasks(session: Session, plan_id: int, n: int = 10) -> list[Task]:
    """Return the plan's first `n` tasks in file order, to review before approving."""
    q = (
        select(Task)
        .where(Task.import_batch_id == plan_id)
        .order_by(Task.source_row, Task.series_step)
        .limit(n)
    )
    return list(session.scalars(q))


def plan_dict(plan: ImportBatch, counts: dict[str, int], tz: Any) -> dict[str, Any]:
    """Return a plan as JSON-ready values (instants in the local zone)."""

    def local(dt: datetime | None) -> str | None:
        return None if dt is None else dt.astimezone(tz).isoformat()

    return {
        "id": plan.id, "file": plan.filename, "type": plan.task_type, "status": plan.status,
        "status_label": PLAN_WORDS.get(plan.status, plan.status), "created_by": plan.created_by,
        "created_at": local(plan.created_at), "rows": plan.rows, "loaded": plan.loaded, "tasks": plan.imported,
        "duplicates": plan.duplicates, "rejected": plan.rejected, "not_sampled": plan.not_sampled,
        "sample_rate": plan.sample_rate, "sample_seed": plan.sample_seed, "decided_by": plan.decided_by,
        "decided_at": local(plan.decided_at), "decision_note": plan.decision_note, "task_statuses": counts,
        "summary": json.loads(plan.summary) if plan.summary else {},
    }  # fmt: skip
