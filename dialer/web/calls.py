"""Compliance pages: call search, the call page, replay with Range support, download and evidence bundles.

Every id here answers 404 alike when it does not exist and when the user may not see it, so ids cannot be
probed. Files are found by recording id, never by a path from the request.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from dialer.model import Attempt, Escalation, ProblemCase, Recording, Task
from dialer.services import services
from dialer.web import lists
from dialer.web.evidence import build as build_evidence
from dialer.web.files import Found, check, locate, stores, stream
from dialer.web.helpers import audit, db, found_or_404, requires
from dialer.web.scripts import call_wording
from dialer.web.search import CALLS, LIMIT
from dialer.web.timeline import describe
from dialer.web.words import OUTCOMES

bp = Blueprint("calls", __name__)


@bp.get("/calls")
@requires("calls")
def search() -> str | Response:
    """Search calls by customer, phone, dates, script, task type, department, outcome, problem and agent."""
    if lists.wants_export():
        return lists.export(CALLS)
    lst = lists.open_list(CALLS)
    if request.args.get("go") and not lst.errors:
        audit("search_calls", "calls", filters={k: v for k, v in lst.f.items() if v}, results=lst.total)
        db().commit()
    scripts = sorted(set(db().scalars(select(Attempt.script).distinct())))
    return render_template("search.html", lst=lst, f=lst.f, rows=lst.rows, errors=lst.errors, opts=lists.options(),
                           scripts=scripts, outcomes=OUTCOMES)  # fmt: skip


def _attempt(attempt_id: int) -> Attempt:
    return found_or_404(Attempt, attempt_id)


@bp.get("/calls/<int:attempt_id>")
@requires("listen", hide=True)
def call(attempt_id: int) -> str:
    """Show one call: recordings with their checksum, each answer with its clip, and the timeline."""
    a = _attempt(attempt_id)
    task = db().get_one(Task, a.task_id)
    full = [check(r, stores()) for r in a.recordings if r.kind != "clip"]
    clips = {r.id: check(r, stores()) for r in a.recordings if r.kind == "clip"}
    cases = list(db().scalars(select(ProblemCase).where(ProblemCase.attempt_id == a.id)))
    escalations = list(db().scalars(select(Escalation).where(Escalation.attempt_id == a.id)))
    audit("view_call", f"attempt:{a.id}", customer=task.customer_id)
    db().commit()
    timeline = [(e, describe(e)) for e in a.events]
    profile = services().settings.profile
    unrecordable = None if profile.call_recording else profile.label  # the line cannot record a whole call
    return render_template("call.html", a=a, task=task, full=full, clips=clips, cases=cases,
                           escalations=escalations, timeline=timeline, unrecordable=unrecordable,
                           **call_wording(db(), a))  # fmt: skip


def _recording_file(recording_id: int) -> tuple[Recording, Found]:
    rec = db().get(Recording, recording_id)
    found = None if rec is None else locate(rec, stores())
    if rec is None or found is None:
        abort(404)
    return rec, found


@bp.get("/recordings/<int:recording_id>")
@requires("listen", hide=True)
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
