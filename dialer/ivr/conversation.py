"""One call's conversation, without Flask: `advance(session, attempt, event, now)` returns the next TwiML.

Every webhook that moves a conversation calls it: the voice start (`CallStarted`), each answer (`Heard`) and
the agent queue's result (`AgentBridged` / `AgentUnavailable`). It runs the pure flow, stores what the
step records (the answer, its clip, a problem case, an escalation), and keeps the TwiML with the attempt so
a retried request gets the same document back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dialer.errors import ScriptError
from dialer.ivr import flow
from dialer.ivr.escalation import escalate, latest_escalation, queue_name
from dialer.ivr.items import call_context, standing
from dialer.ivr.turns import Heard, describe, store_turn
from dialer.ivr.twiml import Handover, Streaming, Urls, render, waiting
from dialer.ivr.values import Answer, CallContext, Event, State, Step
from dialer.model import Attempt, AttemptOutcome, EscalationStatus
from dialer.model.heard import heard_for
from dialer.model.outcomes import is_machine, record_event
from dialer.services import Services

HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'


@dataclass(frozen=True)
class CallStarted:
    """The gateway asked for the call's first TwiML; `answered_by` is its answering-machine verdict."""

    answered_by: str = ""


Move = CallStarted | Heard | Event


class Conversation:
    """The conversations of one process's calls, over its services (scripts, settings, speech)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def advance(self, s: Session, attempt: Attempt, event: Move, now: datetime) -> str:
        """Move the call on by one event, store what it records, and return the TwiML to play next."""
        if isinstance(event, CallStarted):
            return self._start(s, attempt, event, now)
        state = State.from_dict(attempt.ivr_state["state"])
        if is_machine(attempt.answered_by):  # detection found a machine meanwhile: nothing more is said
            attempt.outcome = attempt.outcome or AttemptOutcome.VOICEMAIL
            return self._keep(
                s, attempt, state, HANGUP, now, state.turn if isinstance(event, Heard) else None
            )
        script = self.svc.scripts.for_attempt(s, attempt)
        flow_event = event.event if isinstance(event, Heard) else event
        new_state, step = flow.step(script, state, flow_event, self.context(attempt, now))
        if isinstance(event, Heard):
            self._note_ear_missing(s, attempt, state, event, now)
            record_event(s, attempt, "answer", f"turn {state.turn}", describe(event), at=now)
            if step.record is not None:
                store_turn(s, self.svc, attempt, step.record, event, attempt.task.department, now)
        _apply_outcome(attempt, new_state, step)
        if not isinstance(event, Heard) and attempt.outcome is None:
            # The queue's result: being handed to a person answers nothing. The call succeeds only if every
            # required item has a 是/否 (the agent may have recorded them already); else its items stay open.
            found = standing(
                s, script, self.context(attempt, now), attempt.task, problem=bool(new_state.problems)
            )
            attempt.outcome = AttemptOutcome(found.verdict.value)
        if step.escalate and isinstance(event, Heard):
            escalate(s, self.svc, attempt, new_state.escalated or "agent", now)
        handled = state.turn if isinstance(event, Heard) else None
        body, stream = self._render(step, attempt, self._handover(s, attempt) if step.escalate else None)
        return self._keep(s, attempt, new_state, body, now, handled, stream)

    def awaits(self, attempt: Attempt, state: State, turn: str) -> bool:
        """Return whether an answer to `turn` is the one the call is waiting on, not yet handled."""
        # A closing, an escalation or a hang-up does not ask again, so the turn number stays; only the
        # "handled" mark tells a replay of the last answer from a new one.
        current = attempt.ivr_state.get("state", {}).get("turn")
        handled = attempt.ivr_state.get("handled")
        return turn == str(state.turn) and current == state.turn and handled != state.turn

    def question_kind(self, s: Session, attempt: Attempt, state: State) -> str:
        """Return the kind of answer the current question expects (how to hear it)."""
        question = flow.current_question(self.svc.scripts.for_attempt(s, attempt), state)
        return question.kind if question else "yes_no"

    def context(self, attempt: Attempt, now: datetime) -> CallContext:
        """Return what the script's placeholders need for this call."""
        svc = self.svc
        return call_context(svc.settings, svc.task_types, attempt.task, now, keys_only=svc.speech is None)

    def urls(self, attempt: Attempt) -> Urls:
        base = self.svc.settings.public_url.rstrip("/")
        q = f"?a={attempt.id}"
        return Urls(
            answer=f"{base}/ivr/answer{q}",
            queue_wait=f"{base}/ivr/queue/wait{q}",
            queue_action=f"{base}/ivr/queue/result{q}",
            audio_base=f"{base}/ivr/audio",
            queue=queue_name(attempt),
        )

    def _start(self, s: Session, attempt: Attempt, event: CallStarted, now: datetime) -> str:
        """Open the call: greeting, recording notice and the identity question; hang up on a machine."""
        if is_machine(event.answered_by):
            attempt.answered_by = event.answered_by
            attempt.outcome = AttemptOutcome.VOICEMAIL
            return self._keep(s, attempt, None, HANGUP, now)
        # Asking for the first TwiML means the call was answered, whether or not an `in-progress` callback
        # comes (Somleng sends only the final status).
        attempt.answered_at = attempt.answered_at or now
        try:
            script = self.svc.scripts.pin(s, attempt, now)  # calls not yet started use the approved version
        except ScriptError as exc:
            attempt.outcome, attempt.error_message = AttemptOutcome.ERROR, str(exc)
            record_event(s, attempt, "note", "script_not_approved", {"error": str(exc)}, at=now)
            return self._keep(s, attempt, None, HANGUP, now)
        state, step = flow.start(script, self.context(attempt, now))
        body, stream = self._render(step, attempt)
        return self._keep(s, attempt, state, body, now, stream=stream)

    def _handover(self, s: Session, attempt: Attempt) -> Handover | None:
        """Return the agent a direct `<Dial>` rings (profiles without queues), or None where queues exist."""
        settings = self.svc.settings
        if settings.profile.enqueue:
            return None
        esc = latest_escalation(s, attempt)
        ringing = esc is not None and esc.status == EscalationStatus.RINGING
        agent = esc.agent_phone if esc is not None and ringing else None
        return Handover(agent, settings.agent_wait_seconds, settings.twilio_from_number)

    def _render(
        self, step: Step, attempt: Attempt, handover: Handover | None = None
    ) -> tuple[str, dict[str, Any] | None]:
        """Return the step's TwiML and, when it starts a stream, what `dialer ear` needs to hear it."""
        settings = self.svc.settings
        streaming = self._streaming(attempt)
        urls = self.urls(attempt)
        body = render(
            step, urls, settings.say_voice, settings.say_language, settings.profile, handover, streaming
        )
        listen = step.listen
        if streaming is None or listen is None or not streaming.hears(listen):
            return body, None
        stream = {
            "name": streaming.name(listen), "turn": listen.turn, "kind": listen.kind,
            "wait": waiting(listen.max_length, urls, listen.turn),
        }  # fmt: skip
        return body, stream

    def _streaming(self, attempt: Attempt) -> Streaming | None:
        """Return how this call's next document uses streams, or None where answers are heard by <Record>."""
        settings = self.svc.settings
        if not settings.hears_streams:
            return None
        previous = (attempt.ivr_state.get("stream") or {}).get("name")
        listen = attempt.ivr_state.get("listen") != "record"
        return Streaming(settings.ear_url, attempt.id, settings.webhook_key, previous, listen)

    def _note_ear_missing(
        self, s: Session, attempt: Attempt, state: State, event: Heard, now: datetime
    ) -> None:
        """After a streamed question went unanswered and the ear never got its stream, hear by <Record>.

        A silent customer and an ear that is down look alike to the gateway (the `<Pause>` runs out); the ear
        notes every stream it takes, so no note means nobody listened: the rest of the call uses `<Record>`.
        """
        stream = attempt.ivr_state.get("stream")
        if not stream or stream.get("turn") != state.turn or attempt.ivr_state.get("listen") == "record":
            return
        if not isinstance(event.event, Answer) or event.event.label != "no_answer":
            return
        if heard_for(s, attempt.id, state.turn) is not None:
            return
        attempt.ivr_state = {**attempt.ivr_state, "listen": "record"}
        record_event(s, attempt, "note", "ear_missing", {"stream": stream.get("name", "")}, at=now)

    def _keep(
        self,
        s: Session,
        attempt: Attempt,
        state: State | None,
        body: str,
        now: datetime,
        handled: int | None = None,
        stream: dict[str, Any] | None = None,
    ) -> str:
        """Store the state and the TwiML with the attempt (a retried request gets the same); return it."""
        data: dict[str, Any] = {"twiml": body}
        if state is not None:
            data["state"] = state.to_dict()
        if stream is not None:
            data["stream"] = stream  # the question `dialer ear` may hear now
        if attempt.ivr_state.get("listen"):
            data["listen"] = attempt.ivr_state["listen"]
        mark = handled if handled is not None else attempt.ivr_state.get("handled")
        if mark is not None:
            data["handled"] = mark
        attempt.ivr_state = data
        record_event(s, attempt, "twiml", "document", {"twiml": body}, at=now)
        return body


def _apply_outcome(attempt: Attempt, state: State, step: Step) -> None:
    """Note what the call achieved; the terminal status callback then settles the task."""
    outcome = step.outcome or state.outcome
    if outcome:
        attempt.outcome = AttemptOutcome(outcome)
