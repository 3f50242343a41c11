"""`<Dial>` (a `<Number>` or a `<Queue>`) and `<Enqueue>`: bridging a caller with an agent persona.

The agent's leg drives a bridge: its persona talks for `talk_for` seconds and hangs up, or the caller
hangs up first. Audio heard over a bridge lands on channel 0 of each leg (the side the leg hears).
A `<Number statusCallback=… statusCallbackEvent="initiated ringing answered completed">` hears the dialled
leg's progress, as Twilio sends it (the `completed` event by default).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialer.emulator import audio, recordings
from dialer.emulator.documents import Document, LeaveQueue
from dialer.emulator.leg import FOREVER, CallEnded, Leg, Woken
from dialer.emulator.queues import Bridge, Waiter
from dialer.emulator.state import Call, CallOptions, now
from dialer.emulator.webhooks import Params

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter


@dataclass
class DialResult:
    status: str
    call_sid: str = ""
    duration: int = 0
    recording: tuple[str, int] | None = None


def dial(interp: Interpreter, el: ET.Element, doc: Document) -> Document | None:
    """Dial a number or take a caller from a queue; then request `action` with DialCallStatus."""
    leg = interp.leg
    timeout = float(el.get("timeout", "30") or 30)
    queue = el.find("Queue")
    number = el.find("Number")
    target = ((number.text if number is not None else el.text) or "").strip()
    if queue is not None:
        result = _dial_queue(leg, (queue.text or "").strip(), timeout)
    elif target:
        # Somleng's <Dial> has no `record` attribute: the bridge is not recorded.
        record = el.get("record", "") if leg.engine.profile.call_recording else ""
        result = _dial_number(leg, target, timeout, el.get("callerId") or leg.call.from_, record, number)
    else:
        leg.log("warning", message="<Dial> with nothing to dial")
        return None
    leg.log("dial-ended", status=result.status, dial_call_sid=result.call_sid, duration=result.duration)
    if not el.get("action"):
        return None
    extra: Params = [
        ("DialCallStatus", result.status),
        ("DialCallSid", result.call_sid),
        ("DialCallDuration", str(result.duration)),
    ]
    if leg.engine.profile.call_recording:  # Somleng's execute_dial.rb sends the three above only
        extra.append(("DialBridged", "true" if result.status == "completed" else "false"))
    if result.recording:
        sid, seconds = result.recording
        extra += [
            ("RecordingUrl", leg.recording_url(sid)),
            ("RecordingSid", sid),
            ("RecordingDuration", str(seconds)),
        ]
    return interp.fetch(interp.resolve(doc, el.get("action")), el.get("method", "POST"), extra, "action:Dial")


def _record_bridge(leg: Leg, el_record: str, start: float, heard: bytes) -> tuple[str, int] | None:
    if el_record in ("", "do-not-record", "false"):
        return None
    ours = leg.timeline.slice(1, start, leg.audio_t)
    heard = heard[: len(ours)] + b"\x00" * max(0, len(ours) - len(heard))
    dual = el_record.endswith("-dual")
    if dual:
        pcm = audio.audioop.add(
            audio.audioop.tostereo(ours, 2, 1, 0), audio.audioop.tostereo(heard, 2, 0, 1), 2
        )
    else:
        pcm = audio.audioop.add(ours, heard, 2)
    rec = recordings.save(leg, pcm, start=start, source="DialVerb", channels=2 if dual else 1)
    return rec.sid, rec.duration


def _talk(leg: Leg, pcm: bytes, seconds: float) -> float:
    """Hear `pcm` over a bridge for up to `seconds` call time; return how long the bridge lasted."""
    start, at = leg.t, leg.audio_t
    try:
        leg.sleep(seconds, redirectable=False)
    finally:
        heard = int((leg.t - start) * audio.RATE) * audio.WIDTH
        leg.timeline.place(0, at, pcm[:heard])
    return leg.t - start


def _child_event(leg: Leg, noun: ET.Element | None, child: Call, event: str) -> None:
    """Send the `<Number statusCallback>` event of the dialled leg, if the noun asked for it."""
    url = noun.get("statusCallback") if noun is not None else None
    if not url or noun is None or event not in noun.get("statusCallbackEvent", "completed").split():
        return
    shown = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}.get(
        event, child.status
    )
    params: Params = [
        ("AccountSid", child.account_sid), ("CallSid", child.sid), ("ParentCallSid", leg.call.sid),
        ("CallStatus", shown), ("To", child.to), ("Called", child.to), ("From", child.from_),
        ("Caller", child.from_), ("Direction", child.direction), ("ApiVersion", "2010-04-01"),
        ("CallbackSource", "call-progress-events"),
    ]  # fmt: skip
    if event == "completed":
        params.append(("CallDuration", str(child.duration or 0)))
    leg.later("number:" + event, url, noun.get("statusCallbackMethod", "POST"), params)


def _dial_number(
    leg: Leg, number: str, timeout: float, caller_id: str, record: str, noun: ET.Element | None = None
) -> DialResult:
    """Ring a persona from this leg (outbound-dial child leg) and talk with it."""
    persona = leg.engine.persona_for(number)
    child = Call(
        sid=leg.engine.new_sid("CA"), account_sid=leg.call.account_sid, to=number, from_=caller_id,
        options=CallOptions(), direction="outbound-dial", parent_call_sid=leg.call.sid, persona=persona.name,
    )  # fmt: skip
    leg.engine.store.add_call(child)
    child.log(0.0, "initiated")
    _child_event(leg, noun, child, "initiated")
    child.set_status("ringing")
    _child_event(leg, noun, child, "ringing")
    ring = min(persona.answer_after, timeout) if persona.outcome in ("answer", "voicemail") else timeout
    if persona.outcome == "busy":
        ring = min(1.0, timeout)
    elif persona.outcome == "failed":
        ring = 0.0
    try:
        leg.sleep(ring, redirectable=False)
    except CallEnded:
        child.set_status("canceled")
        _child_event(leg, noun, child, "completed")
        raise
    if (
        persona.outcome in ("busy", "failed")
        or persona.answer_after > timeout
        or persona.outcome == "no-answer"
    ):
        status = persona.outcome if persona.outcome in ("busy", "failed") else "no-answer"
        child.set_status(status)
        child.duration = 0
        _child_event(leg, noun, child, "completed")
        return DialResult(status, child.sid)
    child.start_time = now()
    child.set_status("in-progress")
    child.log(ring, "answered")
    _child_event(leg, noun, child, "answered")
    seconds = persona.talk_for if persona.agent else (persona.hangup_after or 10.0)
    pcm = leg.engine.talk(persona, seconds) if persona.agent else b""
    start = leg.audio_t
    try:
        lasted = _talk(leg, pcm, seconds)
    finally:
        child.duration = round(leg.audio_t - start)
        child.end_time = now()
        child.set_status("completed")
        _child_event(leg, noun, child, "completed")
    return DialResult("completed", child.sid, round(lasted), _record_bridge(leg, record, start, pcm))


def _dial_queue(leg: Leg, name: str, timeout: float) -> DialResult:
    """Take the caller who waited longest in `name` and bridge this (agent) leg with it."""
    queues = leg.engine.queues
    waited = 0.0
    leg.wake = frozenset({"queue-ready"})
    try:
        while (waiter := queues.take_oldest(name, leg.call.signals)) is None:
            if waited >= timeout:
                return DialResult("no-answer")
            before = leg.t
            try:
                leg.sleep(timeout - waited, redirectable=False)
            except Woken:
                leg.call.signals.take("queue-ready")
            waited += leg.t - before
    finally:
        leg.wake = frozenset()
    seconds = leg.persona.talk_for if leg.persona.agent else FOREVER
    pcm = leg.engine.talk(leg.persona, leg.persona.talk_for) if leg.persona.agent else b""
    bridge = Bridge(caller_sid=waiter.call_sid, agent_sid=leg.call.sid, agent_pcm=pcm)
    waiter.signals.raise_flag("bridge", bridge)
    leg.log("bridged", caller=waiter.call_sid, queue=name)
    start, began = leg.audio_t, leg.t
    leg.wake = frozenset({"peer-hangup"})
    try:
        leg.sleep(seconds, redirectable=False)
        bridge.ended_by = "agent"
    except Woken:
        bridge.ended_by = "caller"
    except CallEnded:
        bridge.ended_by = "agent"
        raise
    finally:
        leg.wake = frozenset()
        leg.timeline.place(1, start, pcm[: int((leg.t - began) * audio.RATE) * audio.WIDTH])
        waiter.signals.raise_flag("bridge-end", bridge)
    if bridge.ended_by == "agent" and leg.persona.agent:
        raise CallEnded("caller")  # the agent persona hangs up when done talking
    return DialResult("completed", waiter.call_sid, round(leg.audio_t - start))


def enqueue(interp: Interpreter, el: ET.Element, doc: Document) -> Document | None:
    """Wait in a queue (running waitUrl) until an agent takes the call, then request `action`."""
    leg, name = interp.leg, (el.text or "").strip()
    queue = leg.engine.queues.join(name, Waiter(leg.call.sid, leg.call.signals))
    if queue is None:
        return _queue_action(interp, el, doc, "queue-full", "", 0.0)
    leg.log("enqueued", queue=name)
    entered, result, bridge = leg.t, "leave", None
    leg.wake = frozenset({"bridge"})
    try:
        result = _hold(interp, doc, name, el.get("waitUrl"), el.get("waitUrlMethod", "POST"), entered)
    except Woken:
        bridge = leg.call.signals.take("bridge")
    except CallEnded:
        leg.engine.queues.leave(name, leg.call.sid)
        _queue_action(interp, el, doc, "hangup", queue.sid, leg.t - entered, ended=True)
        raise
    finally:
        leg.wake = frozenset()
        leg.engine.queues.leave(name, leg.call.sid)
    waited = leg.t - entered
    if bridge is not None:
        leg.call.queue_time = round(waited)
        result = _bridged(interp, el, doc, bridge, queue.sid, waited)
    return _queue_action(interp, el, doc, result, queue.sid, waited)


def _hold(
    interp: Interpreter, doc: Document, name: str, wait_url: str | None, method: str, entered: float
) -> str:
    """Run the waitUrl document in a loop (or wait in silence) until a bridge or `<Leave>`."""
    leg = interp.leg
    if not wait_url:
        leg.sleep(FOREVER)
    url = interp.resolve(doc, wait_url)
    while True:
        fields = leg.engine.queues.position(name, leg.call.sid)
        extra = [*fields.items(), ("QueueTime", str(int(leg.t - entered)))]
        before = leg.t
        current: Document | None = interp.fetch(url, method, extra, "wait")
        try:
            while current is not None:
                current = interp.execute(current)
        except LeaveQueue:
            return "leave"
        if leg.t - before < 1.0:
            leg.sleep(1.0)  # a wait document with no audio must not spin


def _bridged(
    interp: Interpreter, el: ET.Element, doc: Document, bridge: Bridge, sid: str, waited: float
) -> str:
    """Talk with the agent until the bridge ends; tell the agent if this caller hangs up first."""
    leg = interp.leg
    leg.log("bridged", agent=bridge.agent_sid)
    start, began = leg.audio_t, leg.t
    leg.wake = frozenset({"bridge-end"})
    try:
        leg.sleep(FOREVER, redirectable=False)
    except Woken:
        leg.call.signals.take("bridge-end")
    except CallEnded:
        agent = leg.engine.store.call(bridge.agent_sid)
        if agent is not None:
            agent.signals.raise_flag("peer-hangup")
        _queue_action(interp, el, doc, "hangup", sid, waited, ended=True)
        raise
    finally:
        leg.wake = frozenset()
        leg.timeline.place(0, start, bridge.agent_pcm[: int((leg.t - began) * audio.RATE) * audio.WIDTH])
    return "bridged"


def _queue_action(
    interp: Interpreter,
    el: ET.Element,
    doc: Document,
    result: str,
    sid: str,
    waited: float,
    ended: bool = False,
) -> Document | None:
    leg = interp.leg
    leg.log("dequeued", result=result, queue_time=round(waited, 3))
    if not el.get("action"):
        return None
    extra = [("QueueResult", result), ("QueueSid", sid), ("QueueTime", str(round(waited)))]
    url, method = interp.resolve(doc, el.get("action")), el.get("method", "POST")
    if ended:  # the caller is gone: Twilio still tells the action, and ignores its TwiML
        params = [(k, "completed" if k == "CallStatus" else v) for k, v in leg.base_params()] + extra
        leg.request("action:Enqueue", url, method, params, count_time=False)
        return None
    return interp.fetch(url, method, extra, "action:Enqueue")
