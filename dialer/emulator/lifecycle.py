"""A call's life: queued → initiated → ringing → in-progress → completed (or busy, no-answer, failed,
canceled), with its status callbacks, machine detection, TwiML and the whole-call recording.

Whole-call recording (`Record=true`): channel 0 (left) holds what the service side plays into the call
(TwiML audio, a bridged agent), channel 1 (right) the party called (the customer). `RecordingChannels=mono`
mixes both into one channel, as Twilio's default does.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from dialer.emulator import audio, bridging, prompts, recordings, streams
from dialer.emulator.documents import Verb
from dialer.emulator.leg import CallEnded, Leg
from dialer.emulator.personas import Persona
from dialer.emulator.state import Call, now
from dialer.emulator.twiml import PLAIN_VERBS, Interpreter, TwimlFailure, parse

if TYPE_CHECKING:
    from dialer.emulator.engine import Engine

SIP = {"completed": 200, "busy": 486, "no-answer": 487, "canceled": 487, "failed": 404}
AMD_SECONDS = 1.5  # how long detection listens before it decides
# Every verb a call's TwiML may use, and the code that runs it.
CALL_VERBS: dict[str, Verb] = {
    **PLAIN_VERBS, "Gather": prompts.gather, "Record": prompts.record,
    "Dial": bridging.dial, "Enqueue": bridging.enqueue,
    "Start": streams.start, "Stop": streams.stop, "Connect": streams.connect,
}  # fmt: skip


def run_call(engine: Engine, call: Call) -> None:
    """Play one call from dispatch to hang-up."""
    persona = engine.persona_for(call.to)
    call.persona = persona.name
    leg = Leg(engine, call, persona)
    status = "completed"
    try:
        status = _ring_and_talk(leg, persona)
    except CallEnded as ended:
        status = ended.status if leg.answered_at is None or ended.status == "failed" else "completed"
        if leg.answered_at is None and ended.reason == "api":
            status = "canceled"
        leg.log("hangup", reason=ended.reason)
    finally:
        _finish(leg, status)


def _ring_and_talk(leg: Leg, persona: Persona) -> str:
    call = leg.call
    call.start_time = now()
    leg.log("initiated")
    leg.status_callback("initiated")
    leg.sleep(0.2, redirectable=False)
    if persona.outcome == "failed":
        return "failed"
    call.set_status("ringing")
    leg.log("ringing")
    leg.status_callback("ringing")
    timeout = float(call.options.timeout)
    if persona.outcome == "busy":
        leg.sleep(min(1.0, timeout), redirectable=False)
        return "busy"
    if persona.outcome == "no-answer" or persona.answer_after > timeout:
        leg.sleep(timeout, redirectable=False)
        return "no-answer"
    leg.sleep(persona.answer_after, redirectable=False)
    _answer(leg, persona)
    interp = Interpreter(leg, CALL_VERBS)
    opts = call.options
    if opts.twiml and not opts.url:
        doc = interp.checked(lambda: parse(opts.twiml or "", None, leg.engine.profile), None)
    else:
        doc = interp.fetch(opts.url or "", opts.method)
    interp.run(doc)
    leg.log("twiml-ended")
    return "completed"


def _answer(leg: Leg, persona: Persona) -> None:
    call = leg.call
    hangup_after = persona.hangup_after
    if persona.outcome == "voicemail" and hangup_after is None:
        hangup_after = 30.0
    call.start_time = now()
    call.set_status("in-progress")
    leg.answer_now(hangup_after)
    leg.log("answered", persona=persona.name)
    if call.options.record:
        leg.recording_sid = leg.new_recording_sid()
    if persona.outcome == "voicemail":
        greeting = leg.engine.tts.render(persona.greeting, persona.voice)
        leg.timeline.place(1, 0.0, greeting + audio.silence(0.3) + audio.tone((850.0,), 0.6))
    _detect_machine(leg, persona)
    leg.status_callback("answered")


def _detect_machine(leg: Leg, persona: Persona) -> None:
    """Decide AnsweredBy when MachineDetection was asked for, synchronously or via AsyncAmd."""
    opts = leg.call.options
    if not opts.machine_detection:
        return
    machine = persona.outcome == "voicemail"
    waits_for_beep = opts.machine_detection == "DetectMessageEnd" and machine
    if waits_for_beep:
        greeting = leg.engine.tts.render(persona.greeting, persona.voice)
        took = audio.seconds(greeting) + 0.9
    else:
        took = AMD_SECONDS
    answered_by = ("machine_end_beep" if waits_for_beep else "machine_start") if machine else "human"
    if not opts.async_amd:
        leg.sleep(took, redirectable=False)
        leg.call.answered_by = answered_by
        leg.log("machine-detection", answered_by=answered_by)
        return
    url = opts.async_amd_callback

    def report() -> None:
        leg.call.answered_by = answered_by
        leg.log("machine-detection", answered_by=answered_by)
        if url:
            params = [("AccountSid", leg.call.account_sid), ("CallSid", leg.call.sid),
                      ("AnsweredBy", answered_by), ("MachineDetectionDuration", str(int(took * 1000)))]  # fmt: skip
            leg.later("amd", url, opts.async_amd_callback_method, params)

    timer = threading.Timer(took / leg.engine.speed, report)
    timer.daemon = True
    timer.start()


def _finish(leg: Leg, status: str) -> None:
    """Close the call: whole-call recording first, then the final status and the `completed` callbacks."""
    call = leg.call
    streams.stop_all(leg)
    answered = leg.answered_at is not None
    length = leg.t - leg.answered_at if leg.answered_at is not None else 0.0
    rec = None
    if answered and leg.recording_sid:
        dual = call.options.recording_channels == "dual"
        pcm = leg.timeline.stereo(length) if dual else leg.timeline.mono(length)
        rec = recordings.save(leg, pcm, start=0.0, source="OutboundAPI", channels=2 if dual else 1,
                              sid=leg.recording_sid)  # fmt: skip
    call.duration = round(length)
    if answered and call.start_time is not None:
        call.end_time = call.start_time + timedelta(seconds=length)
    else:
        call.end_time = now()
    call.set_status(status)
    leg.log(status, duration=round(length, 3))
    extra = leg.terminal_fields(SIP.get(status, 200))
    if rec is not None:
        extra += [("RecordingUrl", leg.recording_url(rec.sid)), ("RecordingSid", rec.sid),
                  ("RecordingDuration", str(rec.duration))]  # fmt: skip
    leg.status_callback("completed", extra)
    if rec is not None:
        opts = call.options
        recordings.notify(leg, opts.recording_status_callback, opts.recording_status_callback_method,
                          opts.recording_status_events, rec, "completed")  # fmt: skip
    leg.lane.close()


__all__ = ["TwimlFailure", "run_call"]
