"""The call's webhooks: voice start and each answer. Each verifies, turns the form into an event, and lets
the conversation advance.

Retries are idempotent: each turn's TwiML is stored with the attempt, and a repeated request for a turn
already handled gets the same document back without storing anything twice.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Blueprint, Response, request

from dialer.ivr.conversation import CallStarted, Conversation
from dialer.ivr.http import EMPTY, find_attempt, signed, twiml
from dialer.ivr.turns import hear, hear_streamed
from dialer.ivr.twiml import NO_INPUT_PARAM, TURN_PARAM
from dialer.ivr.values import State
from dialer.model import Attempt, HeardStatus
from dialer.model.heard import heard_for
from dialer.services import Services, services

bp = Blueprint("ivr_call", __name__, url_prefix="/ivr")


@bp.post("/voice")
@signed
def voice() -> Response:
    """Open the call: greeting, recording notice and the identity question (nothing else before it)."""
    svc = services()
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None:
            return twiml(EMPTY)
        if attempt.ivr_state.get("twiml"):
            return twiml(attempt.ivr_state["twiml"])  # the gateway retried the first request
        event = CallStarted(request.form.get("AnsweredBy", ""))
        return twiml(Conversation(svc).advance(s, attempt, event, svc.clock.now()))


@bp.post("/answer")
@signed
def answer() -> Response:
    """Handle one answer: hear it (outside any transaction), let the conversation advance, reply."""
    svc = services()
    conversation = Conversation(svc)
    now = svc.clock.now()
    turn = request.args.get(TURN_PARAM, "")
    with svc.db.session() as s:
        attempt = find_attempt(s)
        if attempt is None or not attempt.ivr_state.get("state"):
            return twiml(EMPTY)
        state = State.from_dict(attempt.ivr_state["state"])
        if not conversation.awaits(attempt, state, turn):  # a retry of a turn already handled, or a stale one
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)
        kind = conversation.question_kind(s, attempt, state)
        no_input = request.args.get(NO_INPUT_PARAM) == "1"
        # The answer time ran out just as the ear heard an answer (or its call update failed): take that answer.
        streamed = heard_for(s, attempt.id, state.turn) if no_input else None
    if streamed is not None and streamed.status == HeardStatus.FINAL:
        heard = hear_streamed(streamed, kind)
    else:
        heard = hear(svc, request.form.to_dict(), kind, no_input)
    with _sqlite_writer(svc), svc.db.session() as s, s.begin():
        attempt = s.get_one(Attempt, int(request.args["a"]), with_for_update=svc.db.is_postgres)
        if not conversation.awaits(attempt, state, turn):
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)  # a concurrent retry got here first
        body = conversation.advance(s, attempt, heard, now)
    # An escalation only asks for an agent ("agent_requested"): the scheduler's worker places the agent's
    # leg, paced like every call, so this reply never waits on the gateway.
    return twiml(body)


@bp.post("/heard")
@signed
def heard() -> Response:
    """Take the answer `dialer ear` heard on the stream, as the answer webhook takes a `<Record>` clip.

    The ear stored the words and the clip, then moved the call here. An answer for a question the call is
    no longer on (its `<Pause>` ran out first and the call moved on) changes nothing.
    """
    svc = services()
    conversation = Conversation(svc)
    now = svc.clock.now()
    turn = request.args.get(TURN_PARAM, "")
    with _sqlite_writer(svc), svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None or not attempt.ivr_state.get("state"):
            return twiml(EMPTY)
        if svc.db.is_postgres:
            s.refresh(attempt, with_for_update=True)
        state = State.from_dict(attempt.ivr_state["state"])
        row = heard_for(s, attempt.id, state.turn)
        if not conversation.awaits(attempt, state, turn) or row is None or row.status != HeardStatus.FINAL:
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)
        event = hear_streamed(row, conversation.question_kind(s, attempt, state))
        return twiml(conversation.advance(s, attempt, event, now))


def _sqlite_writer(svc: Services) -> AbstractContextManager[Any]:
    """Take turns at SQLite's single writer lock in this process, rather than in its busy-wait loop."""
    # SQLite's busy handler sleeps with growing back-off while holding a pooled connection: with many
    # answers at once, the turns queued behind it waited seconds (bench_webhooks). PostgreSQL locks rows.
    return nullcontext() if svc.db.is_postgres else svc.write_lock
