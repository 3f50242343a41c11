"""The TwiML interpreter: fetch documents (with FallbackUrl), check them, and run their verbs in order.

Failures follow Twilio: a document that cannot be fetched (11200, with 11205/11210 detail) or parsed or
that holds an unknown verb (12100, "Document parse failure") goes to the call's FallbackUrl; when that
fails too (or there is none) the caller hears "an application error has occurred" and the call ends.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urljoin

from dialer.emulator import audio
from dialer.emulator.documents import (
    Document,
    LeaveQueue,
    TwimlFailure,
    Verb,
    Verbs,
    parse,
    unsupported,
)
from dialer.emulator.leg import CallEnded, Leg, Redirected
from dialer.emulator.webhooks import Params
from dialer.speech.tts import voice_for

__all__ = ["Document", "Interpreter", "LeaveQueue", "TwimlFailure", "parse", "voice_for"]

APP_ERROR = "We are sorry, an application error has occurred. Goodbye."


class Interpreter:
    """Runs the TwiML of one call leg with a table of verbs (built where calls start: `lifecycle`)."""

    def __init__(self, leg: Leg, verbs: Verbs) -> None:
        self.leg = leg
        self.handlers = verbs

    def run(self, doc: Document) -> None:
        """Run documents until the verbs run out or the call ends."""
        current: Document | None = doc
        while current is not None:
            try:
                current = self.execute(current)
            except Redirected:
                current = self.redirected()

    def execute(self, doc: Document) -> Document | None:
        """Run one document's verbs; return the next document when a verb moves on to one."""
        self.leg.call.documents.append({"t": round(self.leg.t, 3), "url": doc.url, "twiml": _text(doc.root)})
        verbs = list(doc.root)
        for i, verb in enumerate(verbs):
            self.leg.log("verb", verb=verb.tag)
            self.leg.question = self._asks(verbs, i)
            if not self.leg.engine.profile.validates_whole_document:
                self._check_verb(verb)
            nxt = self.handlers[verb.tag](self, verb, doc)
            if nxt is not None:
                return nxt
        return None

    def _asks(self, verbs: list[ET.Element], i: int) -> bool:
        """Return True when verb `i` is a question: a prompt right before the call listens for the answer.

        The call listens in a `<Record>`, or in a `<Pause>` while a Media Stream hears the line.
        """
        if verbs[i].tag not in ("Play", "Say") or i + 1 >= len(verbs):
            return False
        after = verbs[i + 1].tag
        return after == "Record" or (after == "Pause" and bool(self.leg.streams))

    def _check_verb(self, verb: ET.Element) -> None:
        """Somleng: a verb it cannot run is an error that ends the document, and the call, there."""
        problem = unsupported(verb, self.leg.engine.profile)
        if problem is None and verb.tag in self.handlers:
            return
        self.leg.log("error", code=12100, message=f"Invalid element: {problem or verb.tag}")
        raise CallEnded("error")

    def redirected(self) -> Document:
        target = self.leg.call.signals.take("redirect") or {}
        self.leg.log("redirected-by-api", url=target.get("url"))
        if target.get("twiml"):
            return self.checked(lambda: parse(target["twiml"], None, self.leg.engine.profile), None)
        return self.fetch(target["url"], target.get("method", "POST"))

    def resolve(self, doc: Document, url: str | None) -> str:
        """Resolve a verb's URL against its document, as Twilio does; an action needs one or the other."""
        if url:
            return urljoin(doc.url or "", url)
        if doc.url is None:
            self.fail(11100, "Invalid URL: inline Twiml needs absolute action URLs")
        return doc.url  # type: ignore[return-value]

    def fetch(self, url: str, method: str, extra: Params | None = None, kind: str = "voice") -> Document:
        """Request TwiML for the call, falling back to FallbackUrl on any failure."""
        params = self.leg.base_params() + list(extra or [])
        return self.checked(lambda: self._get(kind, url, method, params), (url, params))

    def checked(self, load: Callable[[], Document], origin: tuple[str, Params] | None) -> Document:
        try:
            return load()
        except TwimlFailure as failure:
            self.leg.log("error", code=failure.code, message=failure.message)
            opts = self.leg.call.options
            if not opts.fallback_url or origin is None:
                self.fail(failure.code, failure.message, logged=True)
                raise
            params = origin[1] + [("ErrorCode", str(failure.code)), ("ErrorUrl", origin[0])]
            try:
                return self._get("fallback", opts.fallback_url, opts.fallback_method, params)
            except TwimlFailure as second:
                self.fail(second.code, second.message)
        raise AssertionError("unreachable")

    def _get(self, kind: str, url: str, method: str, params: Params) -> Document:
        reply = self.leg.request(kind, url, method, params)
        if not reply.ok:
            raise TwimlFailure(11200, f"HTTP retrieval failure: {url}: {reply.error} (detail {reply.code})")
        return parse(reply.body, url, self.leg.engine.profile)

    def fail(self, code: int, message: str, logged: bool = False) -> None:
        """End the call the way Twilio does after an application error."""
        if not logged:
            self.leg.log("error", code=code, message=message)
        self.leg.play(self.leg.engine.tts.render(APP_ERROR, "en"))
        raise CallEnded("error")


def _text(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def _loops(el: ET.Element) -> int:
    loop = int(el.get("loop", "1") or 1)
    return 1000 if loop <= 0 else loop


def _say(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    text = "".join(el.itertext()).strip()
    pcm = interp.leg.engine.tts.render(text, voice_for(el.get("language"))) if text else b""
    for _ in range(_loops(el)):
        interp.leg.play(pcm)


def _play(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    for key in el.get("digits", ""):
        interp.leg.play(audio.silence(0.5) if key in "wW" else audio.dtmf(key))
    src = (el.text or "").strip()
    if not src:
        return
    url = urljoin(doc.url or "", src)
    try:
        pcm = interp.leg.engine.media(url)
    except Exception as exc:  # Twilio logs a warning and moves on when a Play file cannot be fetched
        interp.leg.log("warning", code=11200, message=f"Play {url}: {exc}")
        return
    for _ in range(_loops(el)):
        interp.leg.play(pcm)


def _pause(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    if interp.leg.asked:  # the wait after a question: the persona answers into it
        interp.leg.listen_reply()
    interp.leg.sleep(float(el.get("length", "1") or 1))


def _redirect(interp: Interpreter, el: ET.Element, doc: Document) -> Document:
    url = interp.resolve(doc, (el.text or "").strip())
    return interp.fetch(url, el.get("method", "POST"))


def _hangup(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    raise CallEnded("twiml")


def _reject(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    interp.leg.log("rejected", reason=el.get("reason", "rejected"))
    raise CallEnded("twiml")


def _leave(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    raise LeaveQueue()


# The verbs that need nothing but the leg; `lifecycle` adds the prompts and the bridging verbs.
PLAIN_VERBS: dict[str, Verb] = {
    "Say": _say, "Play": _play, "Pause": _pause, "Redirect": _redirect, "Hangup": _hangup,
    "Reject": _reject, "Leave": _leave,
}  # fmt: skip
