"""The webhooks of an agent's own call (拨打): the agent answers, hears a short line, and the customer is dialled.

The worker rings the agent's phone (`dialer.worker.dials`); its voice webhook answers with a `<Dial>` of the
customer, recorded from answer in two channels (agent and customer apart) where the line can record. The
customer leg's status callback tells when the customer's phone rings and is answered; the `<Dial>` action
brings the result and the recording, and stores the outcome on the attempt as the robot's calls do: an
answered call is decided by the answers the agent recorded (the verdict rules), one that did not connect is
an unsuccessful attempt by the attempt rules. Every callback may come twice or out of order: a request that
ended stays ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from dialer.errors import ScriptError
from dialer.ivr.http import EMPTY, form_count, note_recording, say, signed, twiml
from dialer.ivr.items import call_context, standing
from dialer.model import Attempt, AttemptEvent, AttemptOutcome, parse_id
from dialer.model.dials import AgentDial
from dialer.model.outcomes import finish_attempt, record_event, settle_by_verdict
from dialer.model.states import (
    AGENT_DIALS_LIVE,
    CALLS_FINISHED,
    AgentDialStatus,
    CallStatus,
    RecordingKind,
)
from dialer.policy.verdicts import Verdict
from dialer.services import Services, services

bp = Blueprint("ivr_dials", __name__, url_prefix="/ivr/dial")
CONNECTING = "正在为您接通客户，请稍候。"
NOT_RECORDED = "本线路不能录音，本次通话不会录音。"
CANCELLED = "本次拨打已结束，谢谢。"
ENDED = "客户已挂断，本次通话结束。"
# The customer leg's result (DialCallStatus) → the request's end and the attempt's outcome.
RESULTS = {
    "busy": (AgentDialStatus.NO_ANSWER, CallStatus.BUSY, AttemptOutcome.BUSY),
    "no-answer": (AgentDialStatus.NO_ANSWER, CallStatus.NO_ANSWER, AttemptOutcome.NO_ANSWER),
    "failed": (AgentDialStatus.FAILED, CallStatus.FAILED, AttemptOutcome.FAILED),
    "canceled": (AgentDialStatus.NO_ANSWER, CallStatus.CANCELED, AttemptOutcome.CANCELED),
}
AGENT_LEG_ENDED = ("completed", "busy", "no-answer", "failed", "canceled")
# The call statuses a leg's status callback may carry; any other word is noted as "other", never as itself.
LEG_STATUSES = frozenset({"queued", "initiated", "ringing", "in-progress", *AGENT_LEG_ENDED})


def _leg_status() -> str:
    status = request.form.get("CallStatus", "")
    return status if status in LEG_STATUSES else "other"


def _call(s: Session) -> tuple[AgentDial, Attempt] | None:
    """Return the agent call ?d= names (locked until the transaction ends) and its attempt, or None."""
    d = parse_id(request.args.get("d"))
    dial = None if d is None else s.get(AgentDial, d, with_for_update=True)
    return None if dial is None else (dial, s.get_one(Attempt, dial.attempt_id))


@bp.post("/agent")
@signed
def agent_answered() -> Response:
    """The agent picked up: tell them the customer is being dialled, then dial the customer (recorded)."""
    svc = services()
    settings = svc.settings
    base = settings.public_url.rstrip("/")
    response = VoiceResponse()
    with svc.db.session() as s, s.begin():
        if (found := _call(s)) is None:
            return twiml(EMPTY)
        dial, attempt = found
        if dial.status not in (
            AgentDialStatus.PLACING,
            AgentDialStatus.RINGING_AGENT,
            AgentDialStatus.BRIDGING,
        ):
            say(response, svc.settings, CANCELLED)  # ended meanwhile, or a late replay: dial nobody
            response.hangup()
            return twiml(str(response.to_xml(xml_declaration=True)))
        if dial.status != AgentDialStatus.BRIDGING:  # a retried request changes nothing
            now = svc.clock.now()
            dial.status, dial.agent_answered_at = AgentDialStatus.BRIDGING, now
            dial.agent_call_sid = dial.agent_call_sid or request.form.get("CallSid")
            record_event(s, attempt, "dial", "agent_answered", request.form.to_dict(), at=now)
        say(response, svc.settings, CONNECTING)
        if not settings.profile.call_recording:
            say(response, svc.settings, NOT_RECORDED)
        q = f"?d={dial.id}"
        extra = {"record": "record-from-answer-dual"} if settings.profile.call_recording else {}
        verb = Dial(action=f"{base}/ivr/dial/result{q}", method="POST", timeout=settings.ring_timeout,
                    caller_id=settings.twilio_from_number, **extra)  # fmt: skip
        if settings.profile.status_events:
            verb.number(attempt.to_number, status_callback=f"{base}/ivr/dial/customer{q}",
                        status_callback_event="initiated ringing answered completed",
                        status_callback_method="POST")  # fmt: skip
        else:
            verb.number(attempt.to_number)
        response.append(verb)
    return twiml(str(response.to_xml(xml_declaration=True)))


@bp.post("/customer")
@signed
def customer_status() -> Response:
    """The customer's phone rings, is answered, or the leg ended: show it on the agent's page."""
    svc = services()
    status = _leg_status()
    with svc.db.session() as s, s.begin():
        if (found := _call(s)) is None:
            return twiml(EMPTY)
        dial, attempt = found
        now = svc.clock.now()
        if _seen(s, attempt, f"customer_{status}"):
            return twiml(EMPTY)
        record_event(s, attempt, "dial", f"customer_{status}", request.form.to_dict(), at=now)
        dial.customer_call_sid = dial.customer_call_sid or request.form.get("CallSid")
        if status == "in-progress" and dial.status in (
            AgentDialStatus.RINGING_AGENT,
            AgentDialStatus.BRIDGING,
        ):
            dial.status, dial.customer_answered_at = AgentDialStatus.CONNECTED, now
            attempt.answered_at = attempt.answered_at or now
            if attempt.status not in CALLS_FINISHED:
                attempt.status = CallStatus.IN_PROGRESS
        elif status == "ringing" and attempt.status in (
            CallStatus.QUEUED,
            CallStatus.INITIATED,
            CallStatus.PLACING,
        ):
            attempt.status = CallStatus.RINGING
    return twiml(EMPTY)


@bp.post("/result")
@signed
def dial_result() -> Response:
    """The customer leg ended: store the recording and the outcome, then end the agent's leg."""
    svc = services()
    form = request.form
    response = VoiceResponse()
    with svc.db.session() as s, s.begin():
        if (found := _call(s)) is None:
            return twiml(EMPTY)
        dial, attempt = found
        now = svc.clock.now()
        _keep_recording(s, attempt, now)
        if dial.status in AGENT_DIALS_LIVE:
            record_event(s, attempt, "dial", "result", form.to_dict(), at=now)
            result = form.get("DialCallStatus", "")
            talked = form_count(form.get("DialCallDuration"), 0)
            dial.customer_call_sid = dial.customer_call_sid or form.get("DialCallSid")
            _end(s, svc, dial, attempt, result, talked, now)
        say(response, svc.settings, ENDED if dial.status == AgentDialStatus.COMPLETED else CANCELLED)
        response.hangup()
    return twiml(str(response.to_xml(xml_declaration=True)))


@bp.post("/agent/status")
@signed
def agent_status() -> Response:
    """The agent's leg rang or ended. Ended before the customer's result came: end the request from it."""
    svc = services()
    form = request.form
    status = _leg_status()
    with svc.db.session() as s, s.begin():
        if (found := _call(s)) is None:
            return twiml(EMPTY)
        dial, attempt = found
        if _seen(s, attempt, f"agent_{status}"):
            return twiml(EMPTY)
        now = svc.clock.now()
        record_event(s, attempt, "dial", f"agent_{status}", form.to_dict(), at=now)
        dial.agent_call_sid = dial.agent_call_sid or form.get("CallSid")
        if status == "ringing" and dial.status == AgentDialStatus.PLACING:
            dial.status = AgentDialStatus.RINGING_AGENT
        if status in AGENT_LEG_ENDED and dial.status in AGENT_DIALS_LIVE:
            if dial.status in (
                AgentDialStatus.REQUESTED,
                AgentDialStatus.PLACING,
                AgentDialStatus.RINGING_AGENT,
            ):
                _agent_missed(s, svc, dial, attempt, status, now)
            else:  # the agent hung up while the customer's phone rang, or the result never came
                talked = form_count(form.get("CallDuration"), 0) if dial.customer_answered_at else 0
                _end(
                    s,
                    svc,
                    dial,
                    attempt,
                    "completed" if dial.customer_answered_at else "canceled",
                    talked,
                    now,
                )
    return twiml(EMPTY)


def _seen(s: Session, attempt: Attempt, name: str) -> bool:
    """Return whether this status was noted on the call already (a retried callback)."""
    q = select(AttemptEvent.id).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "dial", AttemptEvent.name == name
    )
    return s.scalar(q.limit(1)) is not None


def _agent_missed(
    s: Session, svc: Services, dial: AgentDial, attempt: Attempt, status: str, now: datetime
) -> None:
    """The agent's phone was not answered: the customer was never called, so it is no attempt."""
    dial.status, dial.ended_at = AgentDialStatus.AGENT_MISSED, now
    dial.error = (
        "您的电话未接通（"
        + {"busy": "忙线", "no-answer": "无人接听", "failed": "呼叫失败"}.get(status, "未接听")
        + "），未呼叫客户。请确认电话畅通后重新拨打。"
    )
    attempt.status = CallStatus.FAILED
    finish_attempt(s, attempt, AttemptOutcome.ERROR, svc.dial_rules, now)


def _end(
    s: Session, svc: Services, dial: AgentDial, attempt: Attempt, result: str, talked: int, now: datetime
) -> None:
    """End the request and its attempt: answered → decided by the answers so far; else unsuccessful."""
    dial.ended_at = now
    if result == "completed" or (result == "" and dial.customer_answered_at is not None):
        dial.status = AgentDialStatus.COMPLETED
        answered = dial.customer_answered_at or now - timedelta(seconds=talked)
        dial.customer_answered_at = answered
        attempt.status, attempt.duration = CallStatus.COMPLETED, talked
        attempt.answered_at = attempt.answered_at or answered
        attempt.ended_at = now
        verdict = _verdict(s, svc, attempt, now)
        finish_attempt(s, attempt, AttemptOutcome(verdict.value), svc.dial_rules, now)
        # A task closed for want of a reachable customer (manual follow-up) is decided by this call too.
        settle_by_verdict(attempt, verdict, now)
        return
    dial.status, call_status, outcome = RESULTS.get(result, RESULTS["failed"])
    attempt.status, attempt.duration, attempt.ended_at = call_status, 0, now
    finish_attempt(s, attempt, outcome, svc.dial_rules, now)


def _verdict(s: Session, svc: Services, attempt: Attempt, now: datetime) -> Verdict:
    """Return an answered call's verdict from every answer of its task: succeeded, problem, or open items."""
    try:
        script = svc.scripts.heard_on(s, attempt)
    except ScriptError:
        script = None
    if script is None:
        return Verdict.OPEN
    s.flush()
    return standing(
        s, script, call_context(svc.settings, svc.task_types, attempt.task, now), attempt.task
    ).verdict


def _keep_recording(s: Session, attempt: Attempt, now: datetime) -> None:
    """Note the `<Dial>`'s two-channel recording; the worker downloads and checks it like every recording."""
    if note_recording(s, attempt, RecordingKind.CALL, 2):
        data = {"RecordingSid": request.form.get("RecordingSid", ""), "source": "DialVerb"}
        record_event(s, attempt, "recording", "completed", data, at=now)
