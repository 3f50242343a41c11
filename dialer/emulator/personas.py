"""Simulated customers and agents ("personas"), read from a TOML file and matched by number."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialer.errors import DialerError

OUTCOMES = ("answer", "busy", "no-answer", "failed", "voicemail")
DEFAULT_VOICE = "cmn-latn-pinyin"
PERSONA_KEYS = {
    "match", "pattern", "regex", "name", "outcome", "answer_after", "hangup_after", "replies", "agent",
    "talk_for", "agent_say", "voice", "greeting",
}  # fmt: skip
REPLY_KEYS = {"say", "voice", "audio", "keys", "silence", "hangup", "then", "gap", "barge_in"}
SPEAK_DELAY = 0.6  # call-time seconds a persona takes to start talking once a question has ended
KEY_DELAY = 1.0
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "config" / "personas.toml"


class PersonaError(DialerError):
    """The persona file is malformed."""


@dataclass(frozen=True)
class Reply:
    """What the persona does at one prompt: speak, press keys, stay silent, or hang up.

    Timing, as a caller does it: `silence` seconds after the question ends before speaking (a pause to
    think), or `barge_in` — start talking when that fraction of the question has been played (0.5: halfway);
    `then` more words after a pause of `gap` seconds inside the answer (a slow "嗯……是的").
    """

    say: str | None = None
    voice: str | None = None
    audio: Path | None = None
    keys: str = ""
    silence: float = 0.0
    hangup: bool = False
    then: tuple[str, ...] = ()
    gap: float = 1.0
    barge_in: float | None = None

    @property
    def speaks(self) -> bool:
        return bool(self.say or self.audio or self.then)

    @property
    def delay(self) -> float:
        """Return the call-time seconds between the end of the question and the first word or key."""
        return self.silence or (SPEAK_DELAY if self.speaks else KEY_DELAY)


@dataclass(frozen=True)
class Persona:
    """How one simulated party behaves on a call."""

    name: str = "default"
    outcome: str = "answer"
    answer_after: float = 1.0
    hangup_after: float | None = None
    replies: tuple[Reply, ...] = ()
    agent: bool = False
    talk_for: float = 20.0
    agent_say: str = "您好，我是人工客服，请问有什么可以帮您？"
    voice: str = DEFAULT_VOICE
    greeting: str = "您好，您拨打的用户暂时无法接听，请在提示音后留言。"
    match: str | None = None
    pattern: str | None = None
    regex: str | None = None
    _compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, number: str) -> bool:
        if self.match is not None:
            return number == self.match
        if self.pattern is not None:
            return fnmatch.fnmatchcase(number, self.pattern)
        return self._compiled is not None and self._compiled.fullmatch(number) is not None


SILENT = Persona()


class PersonaBook:
    """All personas; a number takes the first exact match, else the first pattern that fits."""

    def __init__(self, personas: list[Persona]) -> None:
        self.personas = personas

    def find(self, number: str) -> Persona:
        exact = [p for p in self.personas if p.match is not None and p.matches(number)]
        others = [p for p in self.personas if p.match is None and p.matches(number)]
        return (exact or others or [SILENT])[0]

    @classmethod
    def load(cls, path: Path | None) -> PersonaBook:
        """Read a persona file; None reads the default set shipped in config/personas.toml."""
        path = DEFAULT_FILE if path is None else path
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PersonaError(f"cannot read persona file {path}: {exc.strerror}; check --personas") from exc
        except tomllib.TOMLDecodeError as exc:
            raise PersonaError(f"{path}: not valid TOML ({exc})") from exc
        entries = data.get("persona", [])
        if not isinstance(entries, list):
            raise PersonaError(f"{path}: write each persona as a [[persona]] table")
        return cls([_persona(path, i, e) for i, e in enumerate(entries, 1)])


def _persona(path: Path, index: int, raw: dict[str, Any]) -> Persona:
    where = f"{path}: persona #{index} ({raw.get('name', 'unnamed')})"
    unknown = sorted(set(raw) - PERSONA_KEYS)
    if unknown:
        raise PersonaError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(PERSONA_KEYS))}")
    if sum(k in raw for k in ("match", "pattern", "regex")) != 1:
        raise PersonaError(f"{where}: give exactly one of match, pattern or regex")
    if raw.get("outcome", "answer") not in OUTCOMES:
        raise PersonaError(f"{where}: outcome must be one of {', '.join(OUTCOMES)}")
    try:
        compiled = re.compile(raw["regex"]) if "regex" in raw else None
        replies = tuple(_reply(path, where, r) for r in raw.get("replies", []))
        numbers: dict[str, Any] = {k: float(raw[k]) for k in ("answer_after", "talk_for") if k in raw}
        if "hangup_after" in raw:
            numbers["hangup_after"] = float(raw["hangup_after"])
    except (re.error, TypeError, ValueError) as exc:
        raise PersonaError(f"{where}: {exc}") from exc
    texts: dict[str, Any] = {
        k: str(raw[k]) for k in ("name", "outcome", "agent_say", "voice", "greeting") if k in raw
    }
    keys: dict[str, Any] = {k: raw[k] for k in ("match", "pattern", "regex") if k in raw}
    return Persona(
        **texts, **numbers, **keys, replies=replies, agent=bool(raw.get("agent")), _compiled=compiled
    )


def _reply(path: Path, where: str, raw: Any) -> Reply:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f'each reply must be a table such as {{say = "是"}}, got {raw!r}')
    unknown = sorted(set(raw) - REPLY_KEYS)
    if unknown:
        raise ValueError(f"unknown reply key {unknown[0]!r}; allowed: {', '.join(sorted(REPLY_KEYS))}")
    audio = None
    if "audio" in raw:
        audio = (path.parent / str(raw["audio"])).resolve()
        if not audio.is_file():
            raise PersonaError(f"{where}: reply audio file {audio} does not exist")
    keys = str(raw.get("keys", ""))
    if any(k not in "0123456789*#ABCDw" for k in keys):
        raise ValueError(f"keys {keys!r} may hold only 0-9, *, #, A-D")
    then = raw.get("then", ())
    then = (then,) if isinstance(then, str) else tuple(str(t) for t in then)
    barge_in = float(raw["barge_in"]) if "barge_in" in raw else None
    if barge_in is not None and not 0.0 <= barge_in <= 1.0:
        raise ValueError(f"barge_in must be a fraction of the question between 0 and 1, got {barge_in}")
    return Reply(
        then=then,
        gap=float(raw.get("gap", 1.0)),
        barge_in=barge_in,
        say=str(raw["say"]) if "say" in raw else None,
        voice=str(raw["voice"]) if "voice" in raw else None,
        audio=audio,
        keys=keys,
        silence=float(raw.get("silence", 0.0)),
        hangup=bool(raw.get("hangup", False)),
    )
