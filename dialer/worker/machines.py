"""End the calls answering-machine detection found a machine or fax on, from the worker, never a webhook.

With asynchronous detection (DIALER_MACHINE_DETECTION=async) the call's TwiML starts at once and the
verdict arrives later at `/ivr/amd`; that webhook only notes it (outcome "voicemail"). Ending the call needs
the gateway's REST API, which may be slow, so this pass does it; the conversation's next turn also answers
`<Hangup/>` in case the pass has not come yet.
"""

from __future__ import annotations

import logging

from sqlalchemy import exists, select

from dialer.clock import utcnow
from dialer.errors import GatewayError
from dialer.gateway.client import Gateway
from dialer.model import CALLS_IN_FLIGHT, Attempt, AttemptEvent, AttemptOutcome, Database
from dialer.model.outcomes import record_event

log = logging.getLogger("dialer.worker")
BATCH = 50
HUNG_UP = "machine_hung_up"


def hang_up_machines(db: Database, gateway: Gateway) -> int:
    """Hang up every live call a machine or fax answered; return how many were ended."""
    noted = exists().where(
        AttemptEvent.attempt_id == Attempt.id, AttemptEvent.kind == "note", AttemptEvent.name == HUNG_UP
    )
    with db.session() as s:
        rows = s.execute(
            select(Attempt.id, Attempt.call_sid)
            .where(Attempt.outcome == AttemptOutcome.VOICEMAIL, Attempt.status.in_(CALLS_IN_FLIGHT),
                   Attempt.call_sid.is_not(None), ~noted)
            .order_by(Attempt.id).limit(BATCH)
        ).all()  # fmt: skip
    ended = 0
    for attempt_id, sid in rows:
        try:
            gateway.hang_up(sid or "")
        except GatewayError as exc:  # tried again on the next pass, unless the call has ended meanwhile
            log.warning("attempt %s: could not hang up the machine on call %s: %s", attempt_id, sid, exc)
            continue
        with db.session() as s, s.begin():
            record_event(s, s.get_one(Attempt, attempt_id), "note", HUNG_UP, {"CallSid": sid}, at=utcnow())
        ended += 1
    return ended
