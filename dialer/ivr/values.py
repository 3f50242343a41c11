"""The values the conversation speaks in: the call's context, events in, steps and state out.

All are frozen dataclasses; `State` round-trips through JSON (`to_dict()` / `from_dict()`).
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass, field
from typing import Any

from dialer.ivr.script import Question

LABELS = ("yes", "no", "unclear", "agent", "no_answer", "open")  # "open": a free answer was recorded
OUTCOMES = ("succeeded", "problem", "wrong_person")
PHASES = ("identity", "elderly", "question", "escalated", "done")
ELDERLY = Question("elderly_offer", "", "yes_no", "no", False, False)
# "[A|B]" in a script line: A when every placeholder in A has a value, else B ("[A]" alone: A or nothing).
OPTIONAL = re.compile(r"\[([^\[\]|]*)(?:\|([^\[\]]*))?\]")


def honorific_for(gender: str | None) -> str:
    """Return 先生 or 女士 for a known gender, else 您 (never guess from the name)."""
    word = (gender or "").strip().lower()
    if word in ("男", "m", "male", "先生"):
        return "先生"
    if word in ("女", "f", "female", "女士"):
        return "女士"
    return "您"


@dataclass(frozen=True)
class CallContext:
    """What the script's placeholders and knobs need for one call."""

    customer_name: str
    honorific: str = "您"
    company: str = ""
    product: str = ""
    event_date: str = ""
    hotline: str = ""
    cooling_off_days: str = ""
    insured_name: str = ""  # the insured (被保险人) when the call list names one
    age: int | None = None
    elderly_age: int = 60
    keys_only: bool = False  # no speech model loaded: every answer is a key
    record_keys: bool = (
        True  # a key that ends a spoken answer is reported (not on Somleng): else re-ask by keys
    )
    max_length: int = 10  # seconds one spoken answer may last
    timeout: int = 3  # seconds of silence that end an answer (tests/benchmarks/bench_record_timeout.py)

    def fill(self, text: str) -> str:
        """Put this call's values into a script line's placeholders, choosing each "[A|B]" by them."""
        values = {
            "customer_name": self.customer_name,
            "honorific": self.honorific,
            "company": self.company,
            "product": self.product,
            "event_date": self.event_date,
            "hotline": self.hotline,
            "cooling_off_days": self.cooling_off_days,
            "insured_name": self.insured_name,
        }
        return OPTIONAL.sub(lambda m: _choose(m, values), text).format_map(values)

    def holds(self, condition: str | None) -> bool:
        """Return whether a question's `when` condition holds for this call (no condition: always)."""
        if condition == "insured_differs":  # 投、被保险人非同一人
            return bool(self.insured_name) and self.insured_name != self.customer_name
        return condition is None


def _choose(match: re.Match[str], values: dict[str, str]) -> str:
    """Return the first part of "[A|B]" when every placeholder in it has a value, else the second."""
    names = [f for _, f, _, _ in string.Formatter().parse(match.group(1)) if f is not None]
    return match.group(1) if all(values.get(n) for n in names) else (match.group(2) or "")


@dataclass(frozen=True)
class Answer:
    """What the customer said or pressed, as the classifier labelled it."""

    label: str
    keys: str = ""
    transcript: str = ""


@dataclass(frozen=True)
class Hangup:
    """The customer hung up."""


@dataclass(frozen=True)
class AgentUnavailable:
    """No agent took the queued call in time."""


@dataclass(frozen=True)
class AgentBridged:
    """An agent took the call; the IVR has nothing more to say."""


Event = Answer | Hangup | AgentUnavailable | AgentBridged


@dataclass(frozen=True)
class Prompt:
    """One thing to say: a pre-recorded file when `audio` is set, else `text` spoken."""

    text: str
    audio: str | None = None


@dataclass(frozen=True)
class Listen:
    """Wait for an answer: `<Record>` when speech is allowed, else a one-key `<Gather>`."""

    question_id: str
    kind: str
    keys_only: bool
    turn: int
    max_length: int = 10
    timeout: int = 3
    finish_on_key: str = "120"
    fallback: str = ""  # spoken when nothing was heard, before redirecting with a no-input marker


@dataclass(frozen=True)
class AnswerRecord:
    """The answer to store for this turn."""

    question_id: str
    question_text: str
    turn: int
    label: str
    final: bool
    problem: bool
    keys: str = ""
    transcript: str = ""


@dataclass(frozen=True)
class Step:
    """What to say, then exactly one of: listen, escalate to the agent queue, or hang up."""

    say: tuple[Prompt, ...] = ()
    listen: Listen | None = None
    escalate: bool = False
    hangup: bool = False
    record: AnswerRecord | None = None
    outcome: str | None = None

    def __post_init__(self) -> None:
        if [self.listen is not None, self.escalate, self.hangup].count(True) != 1:
            raise ValueError("a Step must either listen, escalate or hang up")

    @property
    def texts(self) -> list[str]:
        """Return every spoken text of this step, in order."""
        return [p.text for p in self.say]


@dataclass(frozen=True)
class State:
    """Where the call stands; JSON-safe through `to_dict()` / `from_dict()`."""

    script: str
    phase: str = "identity"
    index: int = 0  # the current question, when phase is "question"
    asks: int = 0  # re-asks of the current question so far
    unclear_streak: int = 0  # "unclear" answers in a row, across questions
    turn: int = 1  # the listen the next answer belongs to
    problems: tuple[str, ...] = field(default=())
    escalated: str = ""  # why the call went to an agent: agent | critical | unclear | elderly
    outcome: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        data = asdict(self)
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        """Rebuild a state stored by `to_dict()`; raise ValueError on a damaged one."""
        try:
            state = cls(**{**data, "problems": tuple(data.get("problems", ()))})
        except TypeError as exc:
            raise ValueError(f"stored IVR state is damaged: {exc}") from exc
        if state.phase not in PHASES or min(state.index, state.asks, state.unclear_streak, state.turn) < 0:
            raise ValueError(f"stored IVR state is damaged: {data!r}")
        return state
