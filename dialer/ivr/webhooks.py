"""The gateway's webhooks about the call rather than the conversation: call status, recording status, prompts.

Every request is checked against its signature (`X-Twilio-Signature`, or the profile's header) over the URL rebuilt from DIALER_PUBLIC_URL (so a
proxy in front changes nothing); a bad signature gets 403 and nothing is stored. Unknown calls get 200 and an
empty <Response/> so the gateway stops retrying.
"""

from __future__ import annotations

import io
import wave

from flask import Blueprint, Response, abort, request, send_file
from sqlalchemy import select

from dialer.ivr.escalation import close_direct_dial
from dialer.ivr.http import EMPTY, find_attempt, form_count, note_recording, signed, twiml
from dialer.model import Recording, RecordingKind
from dialer.model.outcomes import apply_call_status, note_answered_by, record_event
from dialer.model.states import CALLS_FINISHED
from dialer.services import services

bp = Blueprint("ivr", __name__, url_prefix="/ivr")
MAX_SILENCE = 30


@bp.get("/audio/silence/<int:seconds>.wav")
def silent_audio(seconds: int) -> Response:
    """Serve a silent WAV file: the pause of profiles without `<Pause>` (a short `<Play>` of silence)."""
    if not 1 <= seconds <= MAX_SILENCE:
        abort(404)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000 * seconds)
    resp = Response(out.getvalue(), mimetype="audio/x-wav")
    resp.cache_control.public, resp.cache_control.max_age = True, 86400
    return resp


@bp.get("/audio/<path:name>")
def prompt_audio(name: str) -> Response:
    """Serve a pre-recorded prompt file from the scripts' audio folder."""
    folder = (services().settings.scripts_dir / "audio").resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        abort(404)
    return send_file(path, conditional=True)


@bp.post("/status")
@signed
def call_status() -> Response:
    """Move the attempt along; duplicates and out-of-order deliveries change nothing."""
    svc = services()
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None:
            return twiml(EMPTY)
        now = svc.clock.now()
        moved = apply_call_status(
            s, attempt, request.form.to_dict(), svc.dial_rules, now, sequenced=svc.settings.profile.sequenced
        )
        if moved and attempt.status in CALLS_FINISHED and not svc.settings.profile.enqueue:
            close_direct_dial(s, attempt, now)
    return twiml(EMPTY)


@bp.post("/amd")
@signed
def machine_detection() -> Response:
    """Note the asynchronous answering-machine verdict; the worker hangs up on a machine, never this request."""
    svc = services()
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None:
            return twiml(EMPTY)
        note_answered_by(s, attempt, request.form.to_dict(), svc.clock.now())
    return twiml(EMPTY)


@bp.post("/recording")
@signed
def recording_status() -> Response:
    """Note a finished recording; the worker downloads and checks it."""
    svc = services()
    form = request.form
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None:
            return twiml(EMPTY)
        sid = form.get("RecordingSid", "")
        if sid and s.scalar(select(Recording.id).where(Recording.gateway_sid == sid)) is not None:
            return twiml(EMPTY)  # a retried callback: already noted
        record_event(
            s, attempt, "recording", form.get("RecordingStatus", ""), form.to_dict(), at=svc.clock.now()
        )
        if form.get("RecordingStatus") != "completed" or not sid:
            return twiml(EMPTY)
        agent_leg = request.args.get("e") or form.get("RecordingSource") == "DialVerb"
        kind = RecordingKind.AGENT_LEG if agent_leg else RecordingKind.CALL
        note_recording(s, attempt, kind, form_count(form.get("RecordingChannels"), 1))
    return twiml(EMPTY)
