"""The task list, and a customer's page: every task, call, answer, problem case and callback they have."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.model import Answer, Attempt, Callback, Customer, ProblemCase, Task
from dialer.model.followups import of_tasks
from dialer.web.helpers import audit, db, requires
from dialer.web.lists import export, open_list, options, wants_export
from dialer.web.words import TASK_STATUSES
from dialer.web.worklists import TASKS

bp = Blueprint("worklists", __name__)


@bp.get("/tasks")
@requires("tasks")
def tasks() -> str | Response:
    """Show every task, filtered, sorted and a page at a time; or export them all to Excel."""
    if wants_export():
        return export(TASKS)
    lst = open_list(TASKS)
    return render_template("tasks.html", lst=lst, rows=lst.rows, opts=options(), statuses=TASK_STATUSES)


@bp.get("/customers/<int:customer_id>")
@requires("customers", hide=True)
def customer(customer_id: int) -> str:
    """Show one customer's whole history: tasks, calls, answers, problem cases and callbacks."""
    cu = db().get(Customer, customer_id)
    if cu is None:
        abort(404)
    tasks = list(db().scalars(select(Task).where(Task.customer_id == cu.id).order_by(Task.event_at.desc())))
    ids = [t.id for t in tasks]
    attempts = list(db().scalars(select(Attempt).where(Attempt.task_id.in_(ids)).order_by(Attempt.id)))
    answers = list(db().scalars(
        select(Answer).where(Answer.attempt_id.in_([a.id for a in attempts]), Answer.final.is_(True))
        .order_by(Answer.id)
    ))  # fmt: skip
    cases = list(
        db().scalars(select(ProblemCase).where(ProblemCase.task_id.in_(ids)).order_by(ProblemCase.id))
    )
    callbacks = list(db().scalars(select(Callback).where(Callback.task_id.in_(ids)).order_by(Callback.id)))
    follow_ups = of_tasks(db(), ids)
    audit("view_customer", f"customer:{cu.id}")
    db().commit()
    return render_template(
        "customer.html", cu=cu, tasks=tasks, cases=cases, callbacks=callbacks,
        follow_ups={t.id: [f for f in follow_ups if f.task_id == t.id] for t in tasks},
        attempts={t.id: [a for a in attempts if a.task_id == t.id] for t in tasks},
        answers={a.id: [x for x in answers if x.attempt_id == a.id] for a in attempts},
    )  # fmt: skip
