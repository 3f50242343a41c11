"""One call leg at run time: its call-time clock, its audio timeline, its persona and its webhooks.

Call time (`Leg.t`, seconds since the call was created) is the true timeline of the simulated call.
Every wait of the call lasts `seconds / speed` real seconds but advances call time by `seconds`;
the time a webhook takes is counted one to one, as it would be on a real line.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from dialer.emulator import audio
from dialer.emulator.personas import Persona, Reply
from dialer.emulator.state import API_VERSION, Call, rfc2822
from dialer.emulator.webhooks import Lane, Params, log_entry
from dialer.emulator.webhooks import Reply as HttpReply

if TYPE_CHECKING:
    from dialer.emulator.engine import Engine
    from dialer.emulator.streams import MediaStream

FOREVER = 10.0**9
COUNTRY = {"+86": "CN", "+1": "US", "+82": "KR", "+44": "GB", "+852": "HK", "+886": "TW"}


class CallEnded(Exception):
    """The call is over: `reason` is caller, api, twiml, error, time-limit or peer."""

    def __init__(self, reason: str, status: str = "completed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Redirected(Exception):
    """The REST API asked for new TwiML while the call was in progress."""


class Woken(Exception):
    """A flag the leg was told to listen for (a bridge, a queue arrival) was raised."""

    def __init__(self, flag: str) -> None:
        super().__init__(flag)
        self.flag = flag


def country(number: str) -> str:
    return next((c for p, c in sorted(COUNTRY.items(), key=lambda x: -len(x[0])) if number.startswith(p)), "")


class Leg:
    """The running side of a `Call`."""

    def __init__(self, engine: Engine, call: Call, persona: Persona) -> None:
        self.engine = engine
        self.call = call
        self.persona = persona
        self.t = 0.0
        self.answered_at: float | None = None
        self.deadline = FOREVER
        self.hangup_reason = "caller"
        self.wake: frozenset[str] = frozenset()
        self.timeline = audio.Timeline()
        self.lane = Lane(f"cb-{call.sid[2:10]}")
        self.sequence = 0
        self.recording_sid: str | None = None
        self._replies: Iterator[Reply] = iter(persona.replies)
        self._peeked: Reply | None = None
        self.question = False  # the next prompt is a question the persona may answer (the interpreter says)
        self.asked = False  # a question was played and its answer is still to come
        self.answered = False  # the persona's reply to the current question is already on the line
        self.streams: dict[str, MediaStream] = {}  # running `<Start>` streams by name
        self.playing: tuple[float, bytes] | None = None  # the prompt on the line now: (audio time, pcm)
        self._line_lock = threading.Lock()
        self.keys: list[tuple[float, str]] = []  # (audio time, key) the persona pressed, for `dtmf` messages
        # How call time flows right now, for readers on other threads (`clock`): (t, monotonic, rate, cap).
        self._flow: tuple[float, float, float, float] = (0.0, time.monotonic(), 0.0, 0.0)

    # --- time -------------------------------------------------------------------------------------------

    @property
    def audio_t(self) -> float:
        """Seconds since answer: where audio lands on the timeline."""
        return self.t - (self.answered_at if self.answered_at is not None else self.t)

    def clock(self) -> float:
        """Return the call time now, read from any thread; it moves on while the leg sleeps or waits."""
        t, since, rate, cap = self._flow
        return min(t + (time.monotonic() - since) * rate, cap) if rate else t

    def audio_clock(self) -> float:
        """Return `clock()` as seconds since answer (0 before it)."""
        return self.clock() - self.answered_at if self.answered_at is not None else 0.0

    def _flowing(self, rate: float, cap: float) -> float:
        started = time.monotonic()
        self._flow = (self.t, started, rate, cap)
        return started

    def _settled(self) -> None:
        self._flow = (self.t, time.monotonic(), 0.0, self.t)

    def sleep(self, seconds: float, *, redirectable: bool = True) -> None:
        """Let `seconds` of call time pass (scaled by speed), unless a hang-up or a flag cuts it short."""
        span = max(0.0, min(seconds, self.deadline - self.t))
        flags = frozenset({"hangup"}) | self.wake | (frozenset({"redirect"}) if redirectable else frozenset())
        started = self._flowing(self.engine.speed, self.t + span)
        try:
            flag = self.call.signals.wait(span / self.engine.speed, flags)
            if flag is None:
                self.t += span
            else:
                self.t += min(span, (time.monotonic() - started) * self.engine.speed)
        finally:
            self._settled()
        if flag is None:
            if span < seconds:
                raise CallEnded(self.hangup_reason)
            return
        if flag == "hangup":
            raise CallEnded("api", self.call.signals.peek("hangup") or "completed")
        if flag == "redirect":
            raise Redirected()
        raise Woken(flag)

    def answer_now(self, hangup_after: float | None) -> None:
        self.answered_at = self.t
        limit = min(hangup_after if hangup_after is not None else FOREVER, self.call.options.time_limit)
        if hangup_after is None or self.call.options.time_limit < hangup_after:
            self.hangup_reason = "time-limit"
        self.deadline = self.t + limit

    def play(self, pcm: bytes, channel: int = 0) -> None:
        """Play audio into the call, keeping on the timeline only the part heard before an interruption.

        What the party called says (channel 1) is on the line as it is spoken, for streams to hear, and
        whatever stops the TwiML does not stop the speaker.
        """
        start, at = self.t, self.audio_t
        if channel == 1:
            self.timeline.place(1, at, pcm)
            self.sleep(audio.seconds(pcm))
            return
        self.on_prompt(pcm)
        self.playing = (at, pcm) if channel == 0 else None
        try:
            self.sleep(audio.seconds(pcm))
        finally:
            heard = int((self.t - start) * audio.RATE) * audio.WIDTH
            with self._line_lock:
                self.timeline.place(channel, at, pcm[:heard])
                self.playing = None

    def heard(self, channel: int, start: float, end: float) -> bytes:
        """Return what is on `channel` between two audio times, the prompt playing now included."""
        with self._line_lock:
            pcm = self.timeline.slice(channel, start, end)
            if channel != 0 or self.playing is None:
                return pcm
            at, prompt = self.playing
        a, b, p = (round(x * audio.RATE) * audio.WIDTH for x in (start, end, at))
        lo, hi = max(a, p), min(b, p + len(prompt))
        if lo >= hi:
            return pcm
        part = audio.audioop.add(pcm[lo - a : hi - a], prompt[lo - p : hi - p], audio.WIDTH)
        return pcm[: lo - a] + part + pcm[hi - a :]

    # --- the persona's turns ------------------------------------------------------------------------------

    def on_prompt(self, pcm: bytes) -> None:
        """At the start of a question, let a persona that talks over prompts schedule its answer."""
        if not self.question:
            return
        self.question, self.asked, self.answered = False, True, False
        reply = self.peek_reply()
        if reply is not None and reply.barge_in is not None:
            self.answered = True
            self.speak(self.next_reply(), self.audio_t + reply.barge_in * audio.seconds(pcm))

    def listen_reply(self) -> Reply | None:
        """Return the reply to the question just asked, put on the line from now; None if it is on already."""
        self.asked = False
        if self.answered:
            self.answered = False
            return None
        reply = self.next_reply()
        if reply is not None:
            self.speak(reply, self.audio_t + reply.delay)
        return reply

    def speak(self, reply: Reply | None, at: float) -> float:
        """Put the persona's reply on the line from audio time `at`: words, pauses, keys, a hang-up.

        Return the audio time it ends. The words land on channel 1 (and every stream) at the time they
        are spoken, whatever TwiML runs meanwhile.
        """
        if reply is None:
            return at
        for part in self.words(reply):
            self.timeline.place(1, at, part)
            at += audio.seconds(part)
        for key in reply.keys:
            if key in "wW":
                at += 0.5
                continue
            self.keys.append((at, key))
            self.timeline.place(1, at, audio.dtmf(key))
            at += audio.seconds(audio.dtmf(key))
        if reply.hangup and self.answered_at is not None:
            self.deadline = min(self.deadline, self.answered_at + at)
            self.hangup_reason = "caller"
        self.log("persona-speaks", until=round(at, 3))
        return at

    def words(self, reply: Reply) -> list[bytes]:
        """Return the persona's words for this reply: the first words, then each `then` after a `gap`."""
        voice = reply.voice or self.persona.voice
        parts: list[bytes] = []
        if reply.audio is not None:
            parts.append(audio.to_pcm(reply.audio.read_bytes(), reply.audio.name))
        elif reply.say:
            parts.append(self.engine.tts.render(reply.say, voice))
        for words in reply.then:
            parts += [audio.silence(reply.gap), self.engine.tts.render(words, voice)]
        return parts

    def next_reply(self) -> Reply | None:
        """Return the persona's reply to the next prompt, or None when it has nothing more to say."""
        if self._peeked is not None:
            reply, self._peeked = self._peeked, None
            return reply
        return next(self._replies, None)

    def peek_reply(self) -> Reply | None:
        """Return the next reply without using it up."""
        if self._peeked is None:
            self._peeked = next(self._replies, None)
        return self._peeked

    def log(self, event: str, **detail: Any) -> None:
        self.call.log(self.t, event, **detail)

    # --- webhooks ---------------------------------------------------------------------------------------

    def base_params(self) -> Params:
        """Return the fields every voice request carries.

        See Twilio's documentation, "TwiML for Programmable Voice": Twilio's request to your application.
        """
        c = self.call
        params = [
            ("AccountSid", c.account_sid), ("ApiVersion", API_VERSION), ("CallSid", c.sid),
            ("CallStatus", c.status), ("Called", c.to), ("CalledCountry", country(c.to)), ("Caller", c.from_),
            ("CallerCountry", country(c.from_)), ("Direction", c.direction), ("From", c.from_),
            ("FromCountry", country(c.from_)), ("To", c.to), ("ToCountry", country(c.to)),
        ]  # fmt: skip
        if c.parent_call_sid:
            params.append(("ParentCallSid", c.parent_call_sid))
        if c.options.machine_detection and not c.options.async_amd and c.answered_by:
            params.append(("AnsweredBy", c.answered_by))
        return params

    def request(self, kind: str, url: str, method: str, params: Params, count_time: bool = True) -> HttpReply:
        """Send a webhook from the call's own thread; its real duration passes on the call's clock."""
        if count_time:
            self._flowing(1.0, self.t + self.engine.webhooks.timeout)
        try:
            reply = self.engine.webhooks.send(url, method, params)
            if count_time:
                self.t += reply.elapsed
        finally:
            self._settled()
        self.call.webhooks.append(log_entry(kind, url, method, params, reply))
        return reply

    def later(self, kind: str, url: str, method: str, params: Params) -> None:
        """Send a callback in order on the call's lane, without holding up the call."""

        def job() -> None:
            reply = self.engine.webhooks.send(url, method, params)
            self.call.webhooks.append(log_entry(kind, url, method, params, reply))

        self.lane.submit(job)

    def status_callback(self, event: str, extra: Params | None = None) -> None:
        """Send a call-progress event if the call asked for it (Twilio docs: Call resource, StatusCallbackEvent)."""
        opts = self.call.options
        if not opts.status_callback or event not in opts.status_events:
            return
        shown = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}.get(
            event, self.call.status
        )
        params = [(k, shown if k == "CallStatus" else v) for k, v in self.base_params()]
        if self.call.answered_by and not any(k == "AnsweredBy" for k, _ in params):
            params.append(("AnsweredBy", self.call.answered_by))
        params += [
            ("Timestamp", rfc2822(self.engine.wall(self.call, self.t)) or ""),
            ("CallbackSource", "call-progress-events"),
            # Somleng says "0" on every callback (its voice_status_callback_serializer.rb).
            ("SequenceNumber", str(self.sequence) if self.engine.profile.sequenced else "0"),
            *(extra or []),
        ]
        self.sequence += 1
        self.later("status:" + event, opts.status_callback, opts.status_callback_method, params)

    def recording_url(self, sid: str) -> str:
        return f"{self.engine.api_url}/{API_VERSION}/Accounts/{self.call.account_sid}/Recordings/{sid}"

    def new_recording_sid(self) -> str:
        return self.engine.new_sid("RE")

    def terminal_fields(self, sip: int) -> Params:
        duration = 0 if self.answered_at is None else round(self.t - self.answered_at)
        fields = [("CallDuration", str(duration)), ("SipResponseCode", str(sip))]
        if self.call.status == "completed":
            fields.append(("Duration", str(max(1, math.ceil(duration / 60)) if duration else 0)))
        return fields

    def answered_wall_offset(self, offset: float) -> Any:
        start = self.call.start_time
        return None if start is None else start + timedelta(seconds=offset)
