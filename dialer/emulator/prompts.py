"""`<Gather>` (keys only) and `<Record>`: the prompts where the persona answers.

Each prompt consumes the persona's next reply. A reply may wait (`silence`), speak (`say`/`audio`),
press keys, and hang up, in that order. Reaction times below are call time.

Zero-length `<Record>` (Twilio's TwiML `<Record>` documentation): when the recording ends by `timeout` or
`maxLength` and holds no sound once trimmed, no action is requested and the call falls through to the next
verb; a silent recording kept with `trim="do-not-trim"` is posted to the action. A key or a hang-up always
posts.

Somleng (somleng-switch `execute_record.rb`) always posts the action, silent or not, with `RecordingUrl` and
`RecordingDuration` only: no `RecordingSid`, and no `Digits` when a key ended the recording.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from dialer.emulator import audio, recordings
from dialer.emulator.documents import Document
from dialer.emulator.leg import CallEnded, Leg
from dialer.emulator.personas import Reply

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter

BEEP = audio.tone((1000.0,), 0.5)
FRAME = 0.02  # a recorder decides speech or silence 20 ms at a time


def _num(el: ET.Element, name: str, default: float) -> float:
    try:
        return float(el.get(name) or default)
    except ValueError:
        return default


def speech(leg: Leg, reply: Reply) -> bytes:
    """Return the audio of what the persona says in this reply, pauses inside it included."""
    return b"".join(leg.words(reply))


def _press(leg: Leg, keys: str, num: int, finish: str) -> tuple[str, str]:
    """Press keys; return (digits, finishing key) once a finishing key or numDigits ends the input."""
    digits = ""
    for key in keys:
        if key in "wW":
            leg.sleep(0.5)
            continue
        if finish and key in finish:
            return digits, key
        leg.keys.append((leg.audio_t, key))
        leg.play(audio.dtmf(key), channel=1)
        digits += key
        if num and len(digits) >= num:
            break
    return digits, ""


def gather(interp: Interpreter, el: ET.Element, doc: Document) -> Document | None:
    """Play the nested prompts, collect keys, and post them to `action`."""
    leg = interp.leg
    for child in el:
        interp.handlers[child.tag](interp, child, doc)
    timeout, num = _num(el, "timeout", 5.0), int(_num(el, "numDigits", 0))
    digits, finished = _collect(leg, leg.next_reply(), timeout, num, el.get("finishOnKey", "#"))
    leg.log("gathered", digits=digits, finished_on_key=finished)
    if not digits and el.get("actionOnEmptyResult", "false").lower() != "true":
        return None  # no input: Twilio moves on to the next verb without a request
    extra = [("FinishedOnKey", finished)] + ([("Digits", digits)] if digits else [])
    return interp.fetch(
        interp.resolve(doc, el.get("action")), el.get("method", "POST"), extra, "action:Gather"
    )


def _collect(leg: Leg, reply: Reply | None, timeout: float, num: int, finish: str) -> tuple[str, str]:
    if reply is None or (timeout > 0 and reply.delay >= timeout):
        leg.sleep(timeout)
        return "", ""
    leg.sleep(reply.delay)
    leg.play(speech(leg, reply), channel=1)  # spoken words are heard but a keys-only Gather ignores them
    digits, finished = _press(leg, reply.keys, num, finish)
    if reply.hangup:
        raise CallEnded("caller")
    if not finished and not (num and len(digits) >= num):
        leg.sleep(timeout)
    return digits, finished


def record(interp: Interpreter, el: ET.Element, doc: Document) -> Document | None:
    """Record the persona's answer as an 8 kHz µ-law clip and post it to `action`.

    As Twilio's recorder does, it ends after `timeout` seconds without sound on the line (counted from
    the start, and again after each word), at `maxLength`, on a `finishOnKey` key, or at a hang-up.
    """
    leg = interp.leg
    timeout, max_len = _num(el, "timeout", 5.0), _num(el, "maxLength", 3600.0)
    if el.get("playBeep", "true").lower() != "false":
        leg.play(BEEP)
    start, hung_up = leg.audio_t, None
    leg.listen_reply()
    stop, ended, digits = until_quiet(leg, start, timeout, max_len, el.get("finishOnKey", "1234567890*#"))
    try:
        leg.sleep(stop - start)
    except CallEnded as exc:
        ended, digits, hung_up = "hangup", "hangup", exc
    end = leg.audio_t
    pcm = leg.timeline.slice(1, start, end)
    kept = audio.trim_silence(pcm) if el.get("trim", "trim-silence") == "trim-silence" else pcm
    leg.log("recorded", ended=ended, seconds=round(end - start, 3), digits=digits)
    cb = interp.resolve(doc, el.get("recordingStatusCallback")) if el.get("recordingStatusCallback") else None
    cb_method = el.get("recordingStatusCallbackMethod", "POST")
    events = tuple(el.get("recordingStatusCallbackEvent", "completed").replace(",", " ").split())
    full = leg.engine.profile.record_digits
    if not kept and ended in ("timeout", "max-length") and full:
        leg.log("record-empty")
        return None
    rec = recordings.save(leg, kept or pcm, start=start, source="RecordVerb", channels=1)
    rec.available_at = time.monotonic() + leg.engine.config.clip_delay
    extra = [("RecordingUrl", leg.recording_url(rec.sid)), ("RecordingDuration", str(round(end - start)))]
    if full:
        extra += [("RecordingSid", rec.sid)] + ([("Digits", digits)] if digits else [])
    action, method = interp.resolve(doc, el.get("action")), el.get("method", "POST")
    if hung_up is not None:
        params = [(k, "completed" if k == "CallStatus" else v) for k, v in leg.base_params()] + extra
        leg.request("action:Record", action, method, params, count_time=False)  # its TwiML is ignored
        recordings.notify(leg, cb, cb_method, events, rec, "completed")
        raise hung_up
    recordings.notify(leg, cb, cb_method, events, rec, "completed")
    return interp.fetch(action, method, extra, "action:Record")


def until_quiet(
    leg: Leg, start: float, timeout: float, max_len: float, finish: str
) -> tuple[float, str, str]:
    """Return (audio time, how, key) at which a recording begun at `start` ends, from what is on the line.

    The persona's answer is on channel 1 as it will be spoken, so the recorder's decision — `timeout`
    seconds of quiet, `maxLength`, or a finishing key — can be read off the line ahead of time.
    """
    keys = sorted((t, k) for t, k in leg.keys if t >= start and k in finish)
    limit, quiet_since, t = start + max_len, start, start
    while t < limit:
        if keys and keys[0][0] < t + FRAME:
            return keys[0][0], "key", keys[0][1]
        if not audio.is_quiet(leg.timeline.slice(1, t, t + FRAME)):
            quiet_since = t + FRAME
        elif timeout > 0 and t + FRAME - quiet_since >= timeout - 1e-9:
            return t + FRAME, "timeout", ""
        t += FRAME
    return limit, "max-length", ""
