"""The script editor (话术编辑): edit a draft's TOML, see it side by side with the approved version, and hear
each line as the emulator's speech synthesis would say it.

Saving goes through `save_draft`, so the checks are those of `dialer scripts check`. With no draft, the editor
starts from the approved version's text and saving makes a new draft; an approved version never changes.
"""

from __future__ import annotations

import difflib
import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from dialer.errors import DialerError
from dialer.ivr.script import Script
from dialer.ivr.values import CallContext
from dialer.ivr.versions import save_draft
from dialer.model.scripts import ScriptVersion, version_of
from dialer.model.states import ScriptStatus
from dialer.services import services
from dialer.speech.tts import Tts, pcm_wav, voice_for
from dialer.web.helpers import db, now, requires, user
from dialer.web.scripts import _known

log = logging.getLogger("dialer.web")
bp = Blueprint("script_editor", __name__, url_prefix="/admin/scripts")
MAX_CHARS = 100_000  # a script is a few kilobytes; refuse a paste of something else


@dataclass(frozen=True)
class DiffRow:
    """One line of the side-by-side difference: left (approved) and right (draft), and how they differ."""

    kind: str  # equal, replace, delete, insert
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Return the line-by-line difference of two texts, every line kept, aligned by difflib."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            left = (i + 1, a[i]) if i < i2 else (None, "")
            right = (j + 1, b[j]) if j < j2 else (None, "")
            rows.append(DiffRow(tag, left[0], left[1], right[0], right[1]))
    return rows


def _parts(rows: list[ScriptVersion]) -> tuple[ScriptVersion | None, ScriptVersion | None]:
    """Return the approved version and the draft being edited (the latest version, when it is a draft)."""
    approved = next((v for v in rows if v.status == ScriptStatus.APPROVED), None)
    draft = rows[-1] if rows[-1].status == ScriptStatus.DRAFT else None
    return approved, draft


def _editor(script_id: str, text: str | None = None, problems: list[str] | None = None) -> str:
    rows = _known(script_id)
    approved, draft = _parts(rows)
    base = draft or approved or rows[-1]
    wording: Script | None = None
    if draft is not None:
        try:
            wording = services().scripts.wording(draft)
        except DialerError:
            wording = None
    diff = side_by_side(approved.content, draft.content) if approved and draft else []
    return render_template("script_edit.html", script_id=script_id, approved=approved, draft=draft,
                           text=base.content if text is None else text, problems=problems or [],
                           diff=diff, changed=any(r.kind != "equal" for r in diff),
                           lines=_heard(wording))  # fmt: skip


def _heard(wording: Script | None) -> list[tuple[str, str]]:
    """Return each line of a draft as the preview says it: placeholders filled with the sample call."""
    if wording is None:
        return []
    sample = sample_context()
    return [(label, sample.fill(text)) for label, text in wording.lines()]


@bp.get("/<script_id>/edit")
@requires("script_edit")
def edit(script_id: str) -> str:
    """Show the editor: the draft's TOML (or the approved text to start a new draft), the difference, the preview."""
    return _editor(script_id)


@bp.post("/<script_id>/edit")
@requires("script_edit")
def save(script_id: str) -> Response | tuple[str, int]:
    """Check and store the edited TOML as the draft; on a problem show every one of them, in Chinese."""
    _known(script_id)
    text = request.form.get("content", "").replace("\r\n", "\n")
    if not text.strip():
        return _editor(script_id, text, ["话术内容为空；请填写话术的 TOML 内容后再保存"]), 400
    if len(text) > MAX_CHARS:
        return _editor(script_id, text, [f"话术内容超过 {MAX_CHARS} 个字符；请检查是否粘贴了别的内容"]), 400
    try:
        row = save_draft(db(), script_id, text, services().settings.scripts_dir, user().username, now())
    except DialerError as exc:
        db().rollback()
        return _editor(script_id, text, str(exc).split("; ")), 400
    db().commit()
    flash(f"话术 {script_id} 第{row.version}版草稿已保存；需经合规人员批准后才会用于通话。", "ok")
    return redirect(url_for("script_editor.edit", script_id=script_id))


@functools.cache
def _tts(cache_dir: Path) -> Tts:
    return Tts(cache_dir)


def sample_context() -> CallContext:
    """Return the made-up call the preview speaks: a sample customer, the company's own name and hotline."""
    settings = services().settings
    return CallContext(customer_name="张三", honorific="先生", company=settings.company_name,
                       product="示例产品", event_date="1月15日", hotline=settings.hotline or "95500",
                       cooling_off_days="15", insured_name="")  # fmt: skip


@bp.get("/<script_id>/versions/<int:number>/preview/<int:line>.wav")
@requires("script_edit")
def preview(script_id: str, number: int, line: int) -> Response:
    """Return one line of a version (call order, from 1) spoken by espeak-ng, as the emulator says it."""
    _known(script_id)
    try:
        wording = services().scripts.wording(version_of(db(), script_id, number))
    except DialerError:
        abort(404)
    lines = wording.lines()
    if not 1 <= line <= len(lines):
        abort(404)
    settings = services().settings
    text = sample_context().fill(lines[line - 1][1])
    try:
        pcm = _tts(settings.var_dir / "tts").render(text, voice_for(settings.say_language))
    except DialerError as exc:
        log.warning("preview of %s v%d line %d failed: %s", script_id, number, line, exc)
        return Response("无法合成这句语音；请确认服务器已安装 espeak-ng", status=503, mimetype="text/plain")
    return send_file(io.BytesIO(pcm_wav(pcm)), mimetype="audio/wav", max_age=0,
                     download_name=f"{script_id}-{number}-{line}.wav")  # fmt: skip
