"""Plans left `loading` by an import whose process died (a restart, a crash mid-import): found and cleared.

A live import renews its plan's heartbeat with every chunk it writes, a few times a second. A plan still
`loading` whose heartbeat is older than STALE has no import behind it any more. Its tasks were never dialable
(only approved plans are dialled); clearing removes them and the customers that only they referred to, and
marks the plan failed, saying why, so the list can be uploaded again.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from dialer.model.audit import append_audit
from dialer.model.batches import PlanStatus
from dialer.model.tasks import Customer, ImportBatch, Task

STALE = timedelta(minutes=10)  # an import writes a chunk every second or so, even on a busy machine
STUCK_MESSAGE = (
    "导入中断（服务在导入过程中停止），已清除本次写入的 {tasks} 条任务，未拨打任何电话。请重新上传名单。"
)


def stuck_plans(session: Session, now: datetime) -> list[ImportBatch]:
    """Return the `loading` plans whose import has stopped writing."""
    q = select(ImportBatch).where(
        ImportBatch.status == PlanStatus.LOADING,
        or_(ImportBatch.heartbeat_at.is_(None), ImportBatch.heartbeat_at < now - STALE),
    )
    return list(session.scalars(q.order_by(ImportBatch.id)))


def clear_stuck(session: Session, now: datetime, by: str, ip: str | None = None) -> list[tuple[int, int]]:
    """Clear every stuck plan in the caller's transaction, audited; return (plan id, tasks removed) for each."""
    cleared: list[tuple[int, int]] = []
    for plan in stuck_plans(session, now):
        removed = _clear(session, plan)
        append_audit(session, by, "plan_cleared", f"batch:{plan.id}", {"tasks_removed": removed}, ip, at=now)
        cleared.append((plan.id, removed))
    return cleared


def _clear(session: Session, plan: ImportBatch) -> int:
    customers = list(
        session.scalars(select(Task.customer_id).where(Task.import_batch_id == plan.id).distinct())
    )
    removed = session.execute(delete(Task).where(Task.import_batch_id == plan.id))
    for start in range(0, len(customers), 500):
        orphan = ~exists().where(Task.customer_id == Customer.id)
        session.execute(delete(Customer).where(Customer.id.in_(customers[start : start + 500]), orphan))
    tasks = int(getattr(removed, "rowcount", 0) or 0)
    summary = json.loads(plan.summary) if plan.summary else {}
    summary["message"] = STUCK_MESSAGE.format(tasks=tasks)
    plan.status, plan.summary = PlanStatus.FAILED, json.dumps(summary, ensure_ascii=False)
    return tasks
