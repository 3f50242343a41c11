"""What every webhook view shares: the signature check, finding the call a request is about, TwiML replies.

A leaf of the IVR room: the view modules import it, it imports none of them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Response, abort, request
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.gateway.signature import validate_signature
from dialer.model import Attempt, Escalation, Recording, RecordingStatus, parse_id
from dialer.profiles import TWILIO_SIGNATURE
from dialer.services import services

if TYPE_CHECKING:
    from twilio.twiml.voice_response import VoiceResponse

    from dialer.settings import Settings

log = logging.getLogger("dialer.ivr")
F = TypeVar("F", bound=Callable[..., Any])
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Pauses before running a webhook again whose database connection was lost (a restart, a failover).
RECONNECT_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0)


def twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def public_url() -> str:
    """Return the URL the gateway requested, as the public base URL says it is reached."""
    base = services().settings.public_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signed(view: F) -> F:
    """Refuse (403) any request whose signature does not sign the public URL and the form.

    The profile names the header and the key: Twilio and Somleng sign `X-Twilio-Signature` with the auth
    token; SignalWire signs `X-SignalWire-Signature` (and the Twilio header) with its signing key.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings = services().settings
        header = settings.profile.signature_header
        signature = request.headers.get(header) or request.headers.get(TWILIO_SIGNATURE, "")
        if not validate_signature(public_url(), request.form, signature, settings.webhook_key):
            log.warning("refused %s: bad or missing %s", request.path, header)
            abort(403)
        return reconnecting(view, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def reconnecting(view: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a webhook view; if the database connection is lost under it, run it again on a fresh one.

    Twilio does not retry a webhook that got a 5xx, so a database restart must not reach the gateway. Running
    the view again is safe: its transaction was rolled back with the lost connection, and every webhook is
    idempotent (a duplicate callback changes nothing), so even a commit that did land is not applied twice.
    """
    raced = False
    for pause in RECONNECT_PAUSES:
        try:
            return view(*args, **kwargs)
        except IntegrityError as exc:
            # Two requests wrote the same row at once (e.g. the first calls filing the shipped scripts): the
            # loser's transaction is rolled back; run it again once, and it finds the winner's row.
            if raced:
                raise
            raced = True
            log.warning(
                "%s: a concurrent request wrote the same row (%s); trying again", request.path, exc.orig
            )
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.warning("%s: the database connection was lost (%s); trying again", request.path, exc.orig)
            time.sleep(pause)
    return view(*args, **kwargs)


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


def attempt_named(s: Session) -> Attempt | None:
    """Return the attempt ?a= names (an agent's leg: its CallSid is the agent's, not the caller's)."""
    a = parse_id(request.args.get("a"))
    return None if a is None else s.get(Attempt, a)


def escalation_named(s: Session) -> Escalation | None:
    """Return the escalation ?e= names."""
    e = parse_id(request.args.get("e"))
    return None if e is None else s.get(Escalation, e)


def note_recording(s: Session, attempt: Attempt, kind: str, channels: int) -> bool:
    """Note the finished recording the form names, once; the worker downloads and checks it. Return if noted."""
    form = request.form
    sid, url = form.get("RecordingSid", ""), form.get("RecordingUrl")
    if not sid or s.scalar(select(Recording.id).where(Recording.gateway_sid == sid)) is not None:
        return False  # none, or a retried callback: already noted
    s.add(Recording(
        attempt_id=attempt.id, kind=kind, gateway_sid=sid, gateway_url=url, channels=channels,
        duration=form_count(form.get("RecordingDuration"), 0), status=RecordingStatus.PENDING, next_try_at=utcnow(),
    ))  # fmt: skip
    return True


def form_count(value: str | None, default: int) -> int:
    """Return a whole number from a form field; junk is the default (the worker reads the file's real facts)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else default


def say(response: VoiceResponse, settings: Settings, text: str) -> None:
    """Add a `<Say>` of `text` in the configured voice and language."""
    response.say(text, voice=settings.say_voice, language=settings.say_language)
