"""Render a flow `Step` as TwiML. The SDK's builder escapes every spoken text.

- Prompts: `<Play>` for pre-recorded audio, else `<Say language voice>`.
- Listen with speech: `<Record action=answer?turn=N finishOnKey="120">`; keys only: `<Gather input="dtmf"
  numDigits="1">` with the prompts inside, so a key may cut them short.
- Either is followed by a fallback (Twilio's TwiML `<Record>` documentation): when the gateway hears nothing it
  skips the action and runs the next verbs, so we say `Listen.fallback` and `<Redirect>` to the answer URL
  with `no_input=1`; the webhook turns that into `Answer("no_answer")`.
- Escalate, where the profile has queues: `<Enqueue waitUrl action>agents</Enqueue>`; where it has none
  (Somleng): `<Dial action timeout><Number>agent</Number></Dial>` straight to the free agent, whose action
  (`DialCallStatus`) is the queue result; with no agent free, `<Redirect>` to that result at once, so the
  caller hears the same apology either way. Hang up: `<Hangup/>`.
- Silence: `<Pause>`, or where the profile has none a `<Play>` of a silent file.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from twilio.twiml.voice_response import Dial, Gather, Start, Stop, VoiceResponse

from dialer.gateway.streams import stream_name, stream_token
from dialer.ivr.script import OPEN
from dialer.ivr.values import Listen, Prompt, Step
from dialer.profiles import TWILIO, Profile

TURN_PARAM = "turn"
NO_INPUT_PARAM = "no_input"


@dataclass(frozen=True)
class Urls:
    """The absolute URLs the TwiML points the gateway at."""

    answer: str  # the <Record>/<Gather> action webhook
    queue_wait: str  # the <Enqueue> waitUrl (hold audio, and where the wait may end with <Leave>)
    audio_base: str  # pre-recorded prompt files: audio_base + "/" + file name
    queue_action: str | None = None  # told the queue result (bridged, leave, hangup …)
    queue: str = "agents"

    def silence(self, seconds: int) -> str:
        """Return the URL of a silent WAV file `seconds` long (for profiles without `<Pause>`)."""
        return f"{self.audio_base.rstrip('/')}/silence/{seconds}.wav"

    def audio(self, name: str) -> str:
        """Return the URL of a pre-recorded prompt file."""
        return f"{self.audio_base.rstrip('/')}/{quote(name)}"

    def answer_for(self, turn: int, *, no_input: bool = False) -> str:
        """Return the answer URL for this turn, marked when nothing was heard."""
        extra = {TURN_PARAM: str(turn)}
        if no_input:
            extra[NO_INPUT_PARAM] = "1"
        return with_query(self.answer, extra)


def with_query(url: str, extra: dict[str, str]) -> str:
    """Return `url` with `extra` query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    # Keep the existing query byte for byte: the gateway signs the URL exactly as we write it.
    kept = [item for item in parts.query.split("&") if item and item.split("=", 1)[0] not in extra]
    return urlunsplit(parts._replace(query="&".join([*kept, urlencode(extra)])))


@dataclass(frozen=True)
class Streaming:
    """Hear answers on a Media Stream (`<Start><Stream>` to `dialer ear`) instead of `<Record>`.

    `previous` is the stream an earlier document started and that may still run: it is stopped first.
    """

    ear_url: str
    attempt_id: int
    key: str  # the service's webhook secret: signs each stream's token
    previous: str | None = None
    listen: bool = True  # False: the call has fallen back to <Record>; only stop the previous stream

    def hears(self, listen: Listen) -> bool:
        """Return whether this question's answer is heard on a stream (spoken yes/no kinds, not opinions)."""
        return self.listen and not listen.keys_only and listen.kind != OPEN

    def name(self, listen: Listen) -> str:
        return stream_name(self.attempt_id, listen.turn)


@dataclass(frozen=True)
class Handover:
    """Where a direct `<Dial>` escalation rings: the agent's phone (None: none is free), for how long."""

    agent: str | None
    ring_seconds: int
    caller_id: str | None = None


def render(
    step: Step,
    urls: Urls,
    voice: str,
    language: str = "cmn-CN",
    profile: Profile = TWILIO,
    handover: Handover | None = None,
    streaming: Streaming | None = None,
) -> str:
    """Return the TwiML document for one step, within what the gateway's profile can do."""
    response = VoiceResponse()
    if streaming is not None and streaming.previous:
        stop = Stop()
        stop.stream(name=streaming.previous)
        response.append(stop)
    if step.listen is not None and streaming is not None and streaming.hears(step.listen):
        _stream(response, step, streaming, urls, voice, language, profile)
        return str(response.to_xml(xml_declaration=True))
    if step.listen is not None and step.listen.keys_only:
        gather = response.gather(
            input="dtmf",
            num_digits=1,
            timeout=step.listen.timeout,
            action=urls.answer_for(step.listen.turn),
            method="POST",
        )
        _prompts(gather, step.say, urls, voice, language)
    else:
        _prompts(response, step.say, urls, voice, language)
    if step.listen is not None:
        if not step.listen.keys_only:
            _record(response, step.listen, urls)
        _fallback(response, step.listen, urls, voice, language)
    elif step.escalate and profile.enqueue:
        response.enqueue(
            urls.queue,
            wait_url=urls.queue_wait,
            wait_url_method="POST",
            action=urls.queue_action,
            method="POST",
        )
    elif step.escalate:
        _dial_agent(response, urls, handover)
    else:
        response.hangup()
    return str(response.to_xml(xml_declaration=True))


def _stream(
    response: VoiceResponse, step: Step, streaming: Streaming, urls: Urls, voice: str, language: str,
    profile: Profile,
) -> None:  # fmt: skip
    """Start this question's stream, ask it, and leave the answer time; `dialer ear` moves the call on."""
    listen = step.listen
    assert listen is not None
    start = Start()
    # Both tracks: the ear hears the customer, and hears whether the prompt is still playing (barge-in).
    stream = start.stream(name=streaming.name(listen), url=streaming.ear_url, track="both_tracks")
    stream.parameter(name="attempt", value=str(streaming.attempt_id))
    stream.parameter(name="step", value=str(listen.turn))
    stream.parameter(name="token", value=stream_token(streaming.attempt_id, listen.turn, streaming.key))
    response.append(start)
    _prompts(response, step.say, urls, voice, language)
    silence(response, listen.timeout, urls, profile)
    _fallback(response, listen, urls, voice, language)


def waiting(listen_seconds: int, urls: Urls, turn: int) -> str:
    """Return the document that only waits while the customer talks (barge-in stops the prompt with it)."""
    response = VoiceResponse()
    response.pause(length=listen_seconds)
    response.redirect(urls.answer_for(turn, no_input=True), method="POST")
    return str(response.to_xml(xml_declaration=True))


def _dial_agent(response: VoiceResponse, urls: Urls, handover: Handover | None) -> None:
    """Ring the free agent straight from the caller's leg; with none free, go to the result at once."""
    assert urls.queue_action is not None, "a direct escalation needs the queue result URL"
    if handover is None or not handover.agent:
        response.redirect(urls.queue_action, method="POST")
        return
    dial = Dial(
        action=urls.queue_action, method="POST", timeout=handover.ring_seconds, caller_id=handover.caller_id
    )
    dial.number(handover.agent)
    response.append(dial)


def silence(parent: VoiceResponse, seconds: int, urls: Urls, profile: Profile) -> None:
    """Keep the line quiet for `seconds`: `<Pause>` where the profile has it, else a silent `<Play>`."""
    if profile.pause:
        parent.pause(length=seconds)
    else:
        parent.play(urls.silence(seconds))


def _prompts(
    parent: VoiceResponse | Gather, prompts: tuple[Prompt, ...], urls: Urls, voice: str, language: str
) -> None:
    for p in prompts:
        if p.audio:
            parent.play(urls.audio(p.audio))
        elif p.text:
            parent.say(p.text, voice=voice, language=language)


def _record(response: VoiceResponse, listen: Listen, urls: Urls) -> None:
    response.record(
        action=urls.answer_for(listen.turn),
        method="POST",
        finish_on_key=listen.finish_on_key,
        max_length=listen.max_length,
        timeout=listen.timeout,
        play_beep=False,
        trim="trim-silence",
    )


def _fallback(response: VoiceResponse, listen: Listen, urls: Urls, voice: str, language: str) -> None:
    if listen.fallback:
        response.say(listen.fallback, voice=voice, language=language)
    response.redirect(urls.answer_for(listen.turn, no_input=True), method="POST")
