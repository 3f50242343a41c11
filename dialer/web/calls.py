"""Compliance pages: call search, the call page, replay with Range support, download and evidence bundles.

Every id here answers 404 alike when it does not exist and when the user may not see it, so ids cannot be
probed. Files are found by recording id, never by a path from the request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from dialer.model import Attempt, Escalation, ProblemCase, Recording, Task, User
from dialer.services import services
from dialer.web.evidence import build as build_evidence
from dialer.web.files import Found, check, locate, stores, stream
from dialer.web.helpers import audit, db, requires
from dialer.web.scripts import call_wording
from dialer.web.search import FIELDS, LIMIT, build_query
from dialer.web.timeline import describe
from dialer.web.words import OUTCOMES

bp = Blueprint("calls", __name__)


@bp.get("/calls")
@requires("calls")
def search() -> str:
    """Search calls by customer, phone, dates, script, task type, outcome, problem and agent."""
    f = {k: request.args.get(k, "").strip() for k in FIELDS}
    rows: list[Any] = []
    errors: list[str] = []
    if request.args.get("go"):
        q, errors = build_query(f, services().settings.tz, db())
        if not errors:
            rows = list(db().execute(q))
            audit("search_calls", "calls", filters={k: v for k, v in f.items() if v}, results=len(rows))
            db().commit()
    scripts = sorted(set(db().scalars(select(Attempt.script).distinct())))
    agents = list(db().scalars(select(User.username).order_by(User.username)))
    return render_template("search.html", f=f, rows=rows, errors=errors, searched=bool(request.args.get("go")),
                           limit=LIMIT, types=services().task_types, scripts=scripts, agents=agents,
                           outcomes=OUTCOMES)  # fmt: skip


def _attempt(attempt_id: int) -> Attempt:
    found = db().get(Attempt, attempt_id)
    if found is None:
        abort(404)
    return found


@bp.get("/calls/<int:attempt_id>")
@requires("calls", hide=True)
def call(attempt_id: int) -> str:
    """Show one call: recordings with their checksum, each answer with its clip, and the timeline."""
    a = _attempt(attempt_id)
    task = db().get_one(Task, a.task_id)
    full = [check(r, stores()) for r in a.recordings if r.kind != "clip"]
    clips = {r.id: check(r, stores()) for r in a.recordings if r.kind == "clip"}
    cases = list(db().scalars(select(ProblemCase).where(ProblemCase.attempt_id == a.id)))
    escalations = list(db().scalars(select(Escalation).where(Escalation.attempt_id == a.id)))
    names = {u.id: u.username for u in db().scalars(select(User))}
    audit("view_call", f"attempt:{a.id}", customer=task.customer_id)
    db().commit()
    timeline = [(e, describe(e)) for e in a.events]
    return render_template("call.html", a=a, task=task, full=full, clips=clips, cases=cases,
                           escalations=escalations, names=names, timeline=timeline,
                           **call_wording(db(), a))  # fmt: skip


def _recording_file(recording_id: int) -> tuple[Recording, Found]:
    rec = db().get(Recording, recording_id)
    found = None if rec is None else locate(rec, stores())
    if rec is None or found is None:
        abort(404)
    return rec, found


@bp.get("/recordings/<int:recording_id>")
@requires("calls", hide=True)
def play(recording_id: int) -> Response:
    """Stream a recording for the player; Range requests get 206 so seeking works. Each request is logged."""
    rec, found = _recording_file(recording_id)
    audit("replay", f"recording:{rec.id}", attempt=rec.attempt_id, kind=rec.kind,
          range=request.headers.get("Range", ""))  # fmt: skip
    db().commit()
    return stream(found, rec.sha256)


@bp.get("/recordings/<int:recording_id>/download")
@requires("calls", hide=True)
def download(recording_id: int) -> Response:
    """Download a recording as a file."""
    rec, found = _recording_file(recording_id)
    audit("download", f"recording:{rec.id}", attempt=rec.attempt_id, kind=rec.kind)
    db().commit()
    resp = stream(found, rec.sha256)
    name = f"call-{rec.attempt_id}-{rec.kind}-{rec.id}{found.suffix}"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.get("/calls/<int:attempt_id>/evidence.zip")
@requires("calls", hide=True)
def export(attempt_id: int) -> Response:
    """Export the evidence bundle: recordings, clips, transcript, event log and checksums, as one zip."""
    a = _attempt(attempt_id)
    task = db().get_one(Task, a.task_id)
    bundle = build_evidence(a, task, stores(), services().settings.tz)
    audit("export_evidence", f"attempt:{a.id}", files=bundle.files, sha256=bundle.sha256)
    db().commit()
    return send_file(bundle.data, mimetype="application/zip", as_attachment=True,
                     download_name=f"evidence-call-{a.id}.zip", max_age=0)  # fmt: skip


@bp.get("/recordings/failed")
@requires("recording_failures")
def failed_recordings() -> str:
    """List the recordings that could not be stored, newest first, with the reason and the call they belong to."""
    count = db().scalar(select(func.count()).select_from(Recording).where(Recording.status == "failed")) or 0
    rows = list(db().execute(
        select(Recording, Attempt, Task).join(Attempt, Recording.attempt_id == Attempt.id)
        .join(Task, Attempt.task_id == Task.id).where(Recording.status == "failed")
        .order_by(Recording.id.desc()).limit(LIMIT)
    ))  # fmt: skip
    return render_template("recordings_failed.html", count=count, rows=rows, limit=LIMIT)
