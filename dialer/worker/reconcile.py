"""Reconcile full-call recordings with the gateway: recover what it still has, tell what is lost.

The recording callback can be lost (the gateway or the web app down at the wrong moment) and a gateway
that restarts mid-call loses the call. For every answered call that ended a while ago with no full-call
recording noted, the gateway is asked for the call's recordings: the ones it still has are queued for the
worker to download; if it has none, or no longer knows the call, a `failed` recording says so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from dialer.errors import GatewayError
from dialer.gateway.client import Gateway, RecordingInfo
from dialer.model import Attempt, Database, Recording

log = logging.getLogger("dialer.worker")
GRACE = timedelta(minutes=10)  # the gateway's own callback usually comes within seconds; wait well past it
BATCH = 20
LOST = "通话结束后网关上没有这通电话的录音（网关可能在通话中重启），录音已丢失"
UNKNOWN_CALL = "网关已不认识这通电话（可能在通话中重启），录音已丢失"


def unrecorded_calls(db: Database, now: datetime) -> list[tuple[int, str]]:
    """Return (attempt id, call sid) of answered calls, ended at least GRACE ago, with no call recording."""
    noted = select(Recording.id).where(Recording.attempt_id == Attempt.id, Recording.kind == "call").exists()
    ended = func.coalesce(Attempt.ended_at, Attempt.answered_at)
    with db.session() as s:
        rows = s.execute(
            select(Attempt.id, Attempt.call_sid)
            .where(Attempt.answered_at.is_not(None), Attempt.outcome.is_not(None), Attempt.call_sid.is_not(None),
                   ended <= now - GRACE, ~noted)
            .order_by(Attempt.id).limit(BATCH)
        ).all()  # fmt: skip
    return [(aid, sid) for aid, sid in rows if sid]


def recover_lost_recordings(db: Database, gateway: Gateway, now: datetime) -> int:
    """Queue what the gateway still has for calls with no recording noted; mark the rest failed. Return how
    many recordings were recovered. A gateway whose profile records no whole call (Somleng) has none to lose."""
    if not gateway.profile.call_recording:
        return 0
    recovered = 0
    for attempt_id, call_sid in unrecorded_calls(db, now):
        try:
            found = gateway.list_recordings(call_sid)
            reason = LOST if found else _why_none(gateway, call_sid)
        except GatewayError as exc:
            log.warning("call %s: cannot ask the gateway for its recordings yet: %s", call_sid, exc)
            continue  # the gateway is down or refusing: ask again on a later pass
        recovered += _note(db, attempt_id, found, reason, now)
    return recovered


def _why_none(gateway: Gateway, call_sid: str) -> str:
    """Say why a call has no recording: the gateway forgot the call, or kept the call but not its audio."""
    try:
        gateway.fetch_call(call_sid)
    except GatewayError as exc:
        if exc.status == 404:
            return UNKNOWN_CALL
        raise
    return LOST


def _note(db: Database, attempt_id: int, found: list[RecordingInfo], reason: str, now: datetime) -> int:
    try:
        return _add(db, attempt_id, found, reason, now)
    except IntegrityError:
        # The gateway's own callback noted the recording meanwhile: nothing is lost, the worker stores it.
        log.info("attempt %s: its recording was noted by the callback meanwhile", attempt_id)
        return 0


def _add(db: Database, attempt_id: int, found: list[RecordingInfo], reason: str, now: datetime) -> int:
    with db.session() as s, s.begin():
        known = set(
            s.scalars(select(Recording.gateway_sid).where(Recording.gateway_sid.in_([r.sid for r in found])))
        )
        fresh = [
            r for r in found if r.sid not in known and r.source != "RecordVerb"
        ]  # clips come with answers
        for r in fresh:
            kind = "agent_leg" if r.source == "DialVerb" else "call"
            s.add(Recording(attempt_id=attempt_id, kind=kind, gateway_sid=r.sid, gateway_url=r.url,
                            channels=r.channels, duration=r.duration, status="pending", next_try_at=now))  # fmt: skip
        if not any(r.source not in ("DialVerb", "RecordVerb") for r in found):
            s.add(Recording(attempt_id=attempt_id, kind="call", status="failed", last_error=reason))
            log.warning("attempt %s: full-call recording lost: %s", attempt_id, reason)
    return len(fresh)


def drop_placeholders(db: Database, attempt_id: int) -> None:
    """Remove the `failed` stand-in of a call recording that did arrive after all (its callback was late)."""
    with db.session() as s, s.begin():
        s.execute(delete(Recording).where(
            Recording.attempt_id == attempt_id, Recording.kind == "call", Recording.status == "failed",
            Recording.gateway_sid.is_(None), Recording.path.is_(None)))  # fmt: skip
