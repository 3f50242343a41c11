"""The call's webhooks: voice start and each answer, driven by the pure flow and rendered as TwiML.

Retries are idempotent: each turn's TwiML is stored with the attempt, and a repeated request for a turn
already handled gets the same document back without storing anything twice.
"""

from __future__ import annotations

import json
import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from flask import Response, request
from sqlalchemy.orm import Session

from dialer.ivr import agents, flow
from dialer.ivr.flow import honorific_for
from dialer.ivr.script import Script, load_scripts
from dialer.ivr.turns import describe, hear, store_turn
from dialer.ivr.twiml import NO_INPUT_PARAM, TURN_PARAM, Urls, render
from dialer.ivr.values import CallContext, Event, State, Step
from dialer.ivr.webhooks import EMPTY, bp, find_attempt, signed, twiml
from dialer.ivr.wording import script_values
from dialer.model import Attempt, AttemptOutcome
from dialer.model.outcomes import record_event
from dialer.services import Services, services

log = logging.getLogger("dialer.ivr")
HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'


def scripts(svc: Services) -> dict[str, Script]:
    """Return the call scripts, loaded and validated once per process."""
    loaded = svc.extra.get("scripts")
    if loaded is None:
        loaded = svc.extra["scripts"] = load_scripts(svc.settings.scripts_dir)
    return loaded


def urls(svc: Services, attempt: Attempt) -> Urls:
    base = svc.settings.public_url.rstrip("/")
    q = f"?a={attempt.id}"
    return Urls(
        answer=f"{base}/ivr/answer{q}",
        queue_wait=f"{base}/ivr/queue/wait{q}",
        queue_action=f"{base}/ivr/queue/result{q}",
        audio_base=f"{base}/ivr/audio",
        queue=agents.queue_name(attempt),
    )


def context(svc: Services, attempt: Attempt, now: datetime) -> CallContext:
    task, customer = attempt.task, attempt.task.customer
    extra = json.loads(task.extra) if task.extra else {}
    local = task.event_at.astimezone(svc.settings.tz)
    return CallContext(
        customer_name=customer.name,
        honorific=h if (h := honorific_for(customer.gender)) != "您" else "",  # "请问是张伟本人吗" reads well
        **script_values(svc.settings, svc.task_types.get(task.type), extra),
        event_date=f"{local.month}月{local.day}日",
        age=customer.age_at(now.year),
        elderly_age=svc.settings.elderly_age,
        keys_only=svc.speech is None,
    )


@bp.post("/voice")
@signed
def voice() -> Response:
    """Open the call: greeting, recording notice and the identity question (nothing else before it)."""
    svc = services()
    now = svc.clock.now()
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None:
            return twiml(EMPTY)
        if attempt.ivr_state.get("twiml"):
            return twiml(attempt.ivr_state["twiml"])  # the gateway retried the first request
        answered_by = request.form.get("AnsweredBy", "")
        if answered_by.startswith(("machine", "fax")):
            attempt.answered_by = answered_by
            attempt.outcome = AttemptOutcome.VOICEMAIL
            return _reply(s, attempt, None, HANGUP, now)
        script = scripts(svc)[attempt.script]
        state, step = flow.start(script, context(svc, attempt, now))
        return _reply(s, attempt, state, render(step, urls(svc, attempt), svc.settings.say_voice,
                                               svc.settings.say_language), now)  # fmt: skip


@bp.post("/answer")
@signed
def answer() -> Response:
    """Handle one answer: hear it, let the flow decide, store it, and return the next TwiML."""
    svc = services()
    now = svc.clock.now()
    turn = request.args.get(TURN_PARAM, "")
    with svc.db.session() as s:
        attempt = find_attempt(s)
        if attempt is None or not attempt.ivr_state.get("state"):
            return twiml(EMPTY)
        state = State.from_dict(attempt.ivr_state["state"])
        if not _awaits(attempt, state, turn):  # a retry of a turn already handled, or a stale one
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)
        script = scripts(svc)[attempt.script]
        question = flow.current_question(script, state)
        kind = question.kind if question else "yes_no"
    heard = hear(svc, request.form.to_dict(), kind, request.args.get(NO_INPUT_PARAM) == "1")
    with _sqlite_writer(svc), svc.db.session() as s, s.begin():
        attempt = s.get_one(Attempt, int(request.args["a"]), with_for_update=svc.db.is_postgres)
        if not _awaits(attempt, state, turn):
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)  # a concurrent retry got here first
        ctx = context(svc, attempt, now)
        new_state, step = flow.step(script, state, heard.event, ctx)
        record_event(s, attempt, "answer", f"turn {state.turn}", describe(heard), at=now)
        if step.record is not None:
            store_turn(s, svc, attempt, step.record, heard, attempt.task.department, now)
        _apply_outcome(attempt, new_state, step)
        if step.escalate:
            agents.escalate(s, svc, attempt, new_state.escalated or "agent", now)
        body = render(step, urls(svc, attempt), svc.settings.say_voice, svc.settings.say_language)
        response = _reply(s, attempt, new_state, body, now, handled=state.turn)
    if step.escalate:
        agents.ring_agents(svc)
    return response


def _sqlite_writer(svc: Services) -> AbstractContextManager[Any]:
    """Take turns at SQLite's single writer lock in this process, rather than in its busy-wait loop."""
    # SQLite's busy handler sleeps with growing back-off while holding a pooled connection: with many
    # answers at once, the turns queued behind it waited seconds (bench_webhooks). PostgreSQL locks rows.
    if svc.db.is_postgres:
        return nullcontext()
    lock: threading.Lock = svc.extra.setdefault("sqlite_write_lock", threading.Lock())
    return lock


def _awaits(attempt: Attempt, state: State, turn: str) -> bool:
    """Return whether this request answers the turn the call is waiting on, not yet handled."""
    # A closing, an escalation or a hang-up does not ask again, so the turn number stays; only the
    # "handled" mark tells a replay of the last answer from a new one.
    current = attempt.ivr_state.get("state", {}).get("turn")
    return (
        turn == str(state.turn) and current == state.turn and attempt.ivr_state.get("handled") != state.turn
    )


def _apply_outcome(attempt: Attempt, state: State, step: Step) -> None:
    """Note what the call achieved; the terminal status callback then settles the task."""
    outcome = step.outcome or state.outcome
    if outcome:
        attempt.outcome = AttemptOutcome(outcome)


def _reply(
    s: Session, attempt: Attempt, state: State | None, body: str, now: datetime, handled: int | None = None
) -> Response:
    data: dict[str, Any] = {"twiml": body}
    if state is not None:
        data["state"] = state.to_dict()
    mark = handled if handled is not None else attempt.ivr_state.get("handled")
    if mark is not None:
        data["handled"] = mark
    attempt.ivr_state = data
    record_event(s, attempt, "twiml", "document", {"twiml": body}, at=now)
    return twiml(body)


def continue_after_queue(s: Session, svc: Services, attempt: Attempt, event: Event, now: datetime) -> str:
    """Run the flow on the queue's result (bridged or no agent) and return the TwiML to play."""
    state = State.from_dict(attempt.ivr_state["state"])
    script = scripts(svc)[attempt.script]
    new_state, step = flow.step(script, state, event, context(svc, attempt, now))
    _apply_outcome(attempt, new_state, step)
    if attempt.outcome is None:  # handed to a person: the robot's attempt is over either way
        attempt.outcome = AttemptOutcome.PROBLEM if new_state.problems else AttemptOutcome.SUCCEEDED
    body = render(step, urls(svc, attempt), svc.settings.say_voice, svc.settings.say_language)
    _reply(s, attempt, new_state, body, now)
    return body
