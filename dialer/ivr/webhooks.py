"""The gateway's webhooks: voice start, answers, call status, recording status, queue wait, agent dial.

Every request is checked against `X-Twilio-Signature` over the URL rebuilt from DIALER_PUBLIC_URL (so a
proxy in front changes nothing); a bad signature gets 403 and nothing is stored. Unknown calls get 200 and an
empty <Response/> so the gateway stops retrying.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, abort, request, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.gateway.signature import validate_signature
from dialer.model import Attempt, Recording, parse_id
from dialer.model.outcomes import apply_call_status, record_event
from dialer.services import services

log = logging.getLogger("dialer.ivr")
bp = Blueprint("ivr", __name__, url_prefix="/ivr")
F = TypeVar("F", bound=Callable[..., Any])
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def init_app(app: Flask) -> None:
    """Register the webhooks: call status, recordings, the call itself and agent escalation."""
    from dialer.ivr import agents, callflow  # noqa: F401  (they add their routes to `bp`)

    app.register_blueprint(bp)


def twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def public_url() -> str:
    """Return the URL the gateway requested, as the public base URL says it is reached."""
    base = services().settings.public_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signed(view: F) -> F:
    """Refuse (403) any request whose X-Twilio-Signature does not sign the public URL and the form."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = services().settings.twilio_auth_token
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validate_signature(public_url(), request.form, signature, token):
            log.warning("refused %s: bad or missing X-Twilio-Signature", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def find_attempt(s: Session) -> Attempt | None:
    """Return the attempt a webhook is about: by our ?a= id checked against the CallSid, else by CallSid."""
    call_sid = request.form.get("CallSid", "")
    attempt_id = parse_id(request.args.get("a"))
    if attempt_id is not None:
        attempt = s.get(Attempt, attempt_id)
        agent_leg = parse_id(request.args.get("e")) is not None  # an agent's leg has a CallSid of its own
        if attempt is not None and (
            agent_leg or not attempt.call_sid or not call_sid or attempt.call_sid == call_sid
        ):
            return attempt
        return None
    if call_sid:
        return s.scalar(select(Attempt).where(Attempt.call_sid == call_sid))
    return None


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
        apply_call_status(s, attempt, request.form.to_dict(), svc.dial_rules, svc.clock.now())
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
        kind = "agent_leg" if request.args.get("e") or form.get("RecordingSource") == "DialVerb" else "call"
        s.add(Recording(
            attempt_id=attempt.id, kind=kind, gateway_sid=sid, gateway_url=form.get("RecordingUrl"),
            channels=form_count(form.get("RecordingChannels"), 1), duration=form_count(form.get("RecordingDuration"), 0),
            status="pending", next_try_at=utcnow(),
        ))  # fmt: skip
    return twiml(EMPTY)


def form_count(value: str | None, default: int) -> int:
    """Return a whole number from a form field; junk is the default (the worker reads the file's real facts)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else default
