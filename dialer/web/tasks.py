"""A follow-up task's own page: its customer, its place in its series, its calls; for a lead, the agent's
button that closes the lead (converted or given up), after which no further call of its series is made."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.model import Task
from dialer.model.followups import of_tasks
from dialer.model.series import close_lead
from dialer.services import services
from dialer.web.helpers import audit, db, found_or_404, now, requires

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
REASON_MAX = 500


def _task(task_id: int) -> Task:
    return found_or_404(Task, task_id)


def _is_lead(task: Task) -> bool:
    rules = services().task_types.get(task.type)
    return rules is not None and bool(rules.grade_days)


@bp.get("/<int:task_id>")
@requires("task", hide=True)
def task(task_id: int) -> str:
    """Show one task with the other calls of its series."""
    t = _task(task_id)
    series = list(db().scalars(
        select(Task).where(Task.customer_id == t.customer_id, Task.type == t.type, Task.event_at == t.event_at)
        .order_by(Task.series_step)
    ))  # fmt: skip
    return render_template(
        "task.html", task=t, series=series, lead=_is_lead(t), follow_ups=of_tasks(db(), [t.id])
    )


@bp.post("/<int:task_id>/close-lead")
@requires("task", hide=True)
def close(task_id: int) -> Response:
    """Close the lead this task belongs to, with a reason; audited."""
    t = _task(task_id)
    reason = request.form.get("reason", "").strip()
    if not _is_lead(t):
        flash("只有销售线索可以结束跟进。", "error")
    elif t.series_closed_at is not None:
        flash("该线索已经结束跟进。", "error")
    elif not reason:
        flash("请填写结束跟进的原因（例如：已成交、客户明确拒绝）。", "error")
    elif len(reason) > REASON_MAX:
        flash(f"原因最多 {REASON_MAX} 个字，请缩短。", "error")
    else:
        cancelled = close_lead(db(), t, now())
        audit("lead_closed", f"task:{t.id}", reason=reason, cancelled=cancelled)
        db().commit()
        flash(f"线索已结束跟进：取消了 {cancelled} 次待拨打的回访，今后不再拨打。", "ok")
    return redirect(url_for("tasks.task", task_id=t.id))
