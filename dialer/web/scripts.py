"""The scripts pages (话术管理): every script's filed versions, approval, retirement, the on/off switch, and
the wording a call used.

Supervisors and admins write drafts; only compliance officers and admins approve or retire (and it is
audited). An approved version never changes: an edit makes a new draft.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from dialer.errors import DialerError
from dialer.ivr.filing import filing_docx
from dialer.ivr.script import Script, check_scripts
from dialer.ivr.versions import approve_version, ensure_filed, retire_version
from dialer.model import Attempt
from dialer.model.scripts import (
    ScriptVersion,
    approved_versions,
    script_switches,
    switch_script,
    version_of,
    versions_of,
)
from dialer.model.states import ScriptStatus
from dialer.model.suggestions import suggestions_of
from dialer.services import services
from dialer.web.helpers import audit, db, now, requires, user
from dialer.web.words import named_blanks

bp = Blueprint("scripts", __name__, url_prefix="/admin/scripts")
bp.add_app_template_filter(named_blanks, "blanks")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCRIPT_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")


@dataclass(frozen=True)
class ScriptRow:
    """One line of the scripts list."""

    id: str
    name: str
    task_types: tuple[str, ...]
    questions: int
    approved: ScriptVersion | None
    drafts: int
    problem: str | None = None


def call_wording(session: Session, attempt: Attempt) -> dict[str, Any]:
    """Return what the call page's wording section shows: the exact version this call used."""
    found: dict[str, Any] = {"wording": None, "wording_row": None, "wording_problem": None,
                             "suggestions": suggestions_of(session, attempt.id)}  # fmt: skip
    if attempt.script_version is None:
        return found
    try:
        found["wording"] = services().scripts.for_attempt(session, attempt)
        found["wording_row"] = version_of(session, attempt.script, attempt.script_version)
    except DialerError as exc:
        found["wording_problem"] = str(exc)
    return found


def _known(script_id: str) -> list[ScriptVersion]:
    """Return the script's versions; 404 for an id that is not a script (nor could be one)."""
    if not SCRIPT_ID.fullmatch(script_id):
        abort(404)
    if ensure_filed(db(), services().settings.scripts_dir, now()):
        db().commit()
    rows = versions_of(db(), script_id)
    if not rows:
        abort(404)
    return rows


def _rows() -> list[ScriptRow]:
    book = services().scripts
    approved = approved_versions(db())
    drafts: dict[str, int] = {}
    for v in db().scalars(select(ScriptVersion).where(ScriptVersion.status == ScriptStatus.DRAFT)):
        drafts[v.script_id] = drafts.get(v.script_id, 0) + 1
    out: list[ScriptRow] = []
    for sid in sorted(set(approved) | set(drafts)):
        row = approved.get(sid) or versions_of(db(), sid)[-1]
        try:
            s: Script = book.wording(row)
        except DialerError as exc:
            out.append(ScriptRow(sid, row.name, (), 0, approved.get(sid), drafts.get(sid, 0), str(exc)))
            continue
        out.append(
            ScriptRow(sid, s.name, s.task_types, len(s.questions), approved.get(sid), drafts.get(sid, 0))
        )
    return out


@bp.get("")
@requires("scripts")
def index() -> str:
    """List the scripts: the approved version calls use, drafts waiting for approval, and the switch."""
    folder = services().settings.scripts_dir
    filed = ensure_filed(db(), folder, now())
    if filed:
        db().commit()
    _, problems = check_scripts(folder)
    return render_template("scripts.html", scripts=_rows(), switches=script_switches(db()), folder=folder,
                           folder_problems=problems)  # fmt: skip


@bp.get("/<script_id>")
@requires("scripts")
def show(script_id: str) -> str:
    """Show a script's versions and the wording of the approved one (or the latest draft)."""
    rows = _known(script_id)
    current = next((v for v in rows if v.status == ScriptStatus.APPROVED), rows[-1])
    wording, problem = None, None
    try:
        wording = services().scripts.wording(current)
    except DialerError as exc:
        problem = str(exc)
    enabled = script_switches(db()).get(script_id, True)
    return render_template("script.html", script_id=script_id, versions=list(reversed(rows)), current=current,
                           s=wording, problem=problem, enabled=enabled)  # fmt: skip


@bp.post("/<script_id>/switch")
@requires("script_edit")
def switch(script_id: str) -> Response:
    """Switch a script on or off."""
    _known(script_id)
    on = _form("enabled") == "1"
    switch_script(db(), script_id, on, user().username, now())
    audit("script_switch", f"script:{script_id}", enabled=on)
    db().commit()
    flash(f"话术 {script_id} 已{'启用' if on else '停用'}。", "ok")
    return redirect(url_for("scripts.index"))


@bp.post("/<script_id>/versions/<int:number>/approve")
@requires("script_approve")
def approve(script_id: str, number: int) -> Response:
    """Approve a draft: calls not yet started use it, and the version it replaces is retired."""
    _known(script_id)
    who = user()
    try:
        approve_version(db(), script_id, number, who.username, who.role, now())
    except DialerError as exc:
        db().rollback()
        flash(str(exc), "error")
    else:
        db().commit()
        flash(f"话术 {script_id} 第{number}版已批准；之后开始的通话都使用此版本。", "ok")
    return redirect(url_for("scripts.show", script_id=script_id))


@bp.post("/<script_id>/versions/<int:number>/retire")
@requires("script_approve")
def retire(script_id: str, number: int) -> Response:
    """Withdraw a version; a script left with no approved version is not dialled."""
    _known(script_id)
    who = user()
    try:
        retire_version(db(), script_id, number, who.username, who.role, now())
    except DialerError as exc:
        db().rollback()
        flash(str(exc), "error")
    else:
        db().commit()
        flash(f"话术 {script_id} 第{number}版已停用。", "ok")
    return redirect(url_for("scripts.show", script_id=script_id))


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.get("/<script_id>/versions/<int:number>/filing.docx")
@requires("scripts")
def filing(script_id: str, number: int) -> Response:
    """Download the filing document (话术报备文件) of one version; audited."""
    _known(script_id)
    try:
        row = version_of(db(), script_id, number)
        wording = services().scripts.wording(row)
    except DialerError:
        abort(404)
    settings = services().settings
    data = filing_docx(wording, row, settings.company_name, settings.tz)
    audit("script_export", f"script:{script_id}", version=number)
    db().commit()
    return send_file(io.BytesIO(data), as_attachment=True, max_age=0, mimetype=DOCX,
                     download_name=f"话术报备-{script_id}-第{number}版.docx")  # fmt: skip
