"""Customers' opinions and suggestions (意见或建议): a supervisor reads each and routes it to a department."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.errors import DialerError
from dialer.model import Task
from dialer.model.states import SuggestionStatus
from dialer.model.suggestions import Suggestion, route_suggestion
from dialer.web.helpers import audit, db, now, requires, user

bp = Blueprint("suggestions", __name__, url_prefix="/suggestions")
LIMIT = 200


@bp.get("")
@requires("suggestions")
def index() -> str:
    """List the suggestions, those waiting to be routed first."""
    rows = list(db().execute(
        select(Suggestion, Task).join(Task, Suggestion.task_id == Task.id)
        .order_by((Suggestion.status == SuggestionStatus.ROUTED).asc(), Suggestion.id.desc()).limit(LIMIT)
    ))  # fmt: skip
    return render_template("suggestions.html", rows=rows, limit=LIMIT)


@bp.post("/<int:suggestion_id>/route")
@requires("suggestions")
def route(suggestion_id: int) -> Response:
    """Hand a suggestion to a department; audited."""
    row = db().get(Suggestion, suggestion_id)
    if row is None:
        abort(404)
    try:
        route_suggestion(db(), row, request.form.get("department", ""), user().username, now())
    except DialerError as exc:
        flash(str(exc), "error")
        return redirect(url_for("suggestions.index"))
    audit("suggestion_route", f"suggestion:{row.id}", department=row.department, attempt=row.attempt_id)
    db().commit()
    flash(f"意见建议 #{row.id} 已转交 {row.department}。", "ok")
    return redirect(url_for("suggestions.index"))
