"""Load and validate IVR scripts (话术) from `ivr_scripts/<id>.toml`.

A script file holds top-level `id`, `name`, `task_types`, `max_reasks`; a `[prompts]` table with the
courtesy lines; an `[identity]` table with the identity question; and `[[questions]]`. Every problem is
reported with the file, the question and the field, so `dialer scripts check` can list them all.

Only the customer in person may hear the matter, so the lines spoken before identity is confirmed
(greeting, recording notice, identity question, wrong-person close) may not use `{product}` or
`{event_date}`.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer.errors import ScriptError
from dialer.policy.lexicon import KINDS

AUDIO_DIR = "audio"
PLACEHOLDERS = (
    "customer_name",
    "honorific",
    "company",
    "product",
    "event_date",
    "hotline",
    "cooling_off_days",
    "insured_name",
)
MATTER_PLACEHOLDERS = ("product", "event_date", "cooling_off_days", "insured_name")
# Script-level conditions a question may be asked under (`when = "..."`); see CallContext.holds.
CONDITIONS = ("insured_differs",)
# "open": a free answer (意见或建议), kept as a clip, transcribed in the background, filed as a suggestion; never a
# problem case and never required.
OPEN = "open"
QUESTION_KINDS = (*(k for k in KINDS if k != "identity"), OPEN)
OPINION_WORDS = "宝贵意见"
ANSWERS = ("yes", "no")
TOP_KEYS = {"id", "name", "task_types", "max_reasks", "prompts", "identity", "questions"}
QUESTION_KEYS = {
    "id",
    "text",
    "kind",
    "bad_answer",
    "required",
    "escalate_on_bad",
    "prompt_audio",
    "keys_hint",
    "when",
}
IDENTITY_KEYS = {"text", "prompt_audio", "keys_hint"}
REQUIRED_PROMPTS = ("greeting", "recording_notice", "introduction", "wrong_person_close", "closing")
# Lines every script may override; these defaults follow the seeds' wording.
DEFAULT_PROMPTS = {
    "keys_hint": "是请按1，否请按2，转人工请按0。",
    "reask": "抱歉，刚才没有听清您的回答。",
    "keys_only": "抱歉，还是没有听清，请您用电话按键回答。",
    "no_input": "请问您还在听吗？",
    "acknowledge": "好的。",
    "problem_notice": "您反映的情况我们已经详细记录，会有专人与您联系核实。",
    "escalation": "正在为您转接人工客服，请稍候。",
    "agent_unavailable": "非常抱歉，目前人工客服繁忙，稍后会有专人给您回电。",
    "elderly_offer": "为了更好地为您服务，请问您需要转接人工客服吗？需要请按1，不需要请按2。",
    # Said before the closing only when the call asked an open question (意见或建议).
    "opinion_thanks": "感谢您提出的宝贵意见，我们会认真研究改进。",
    "open_hint": "请在提示音后说出您的意见或建议，说完请按井号键；没有的话，请按2。",
}
BEFORE_IDENTITY = ("greeting", "recording_notice", "wrong_person_close")


@dataclass(frozen=True)
class Question:
    """One scripted question and how to judge its answer."""

    id: str
    text: str
    kind: str = "yes_no"
    bad_answer: str = "no"
    required: bool = True
    escalate_on_bad: bool = False
    prompt_audio: str | None = None
    keys_hint: str | None = None
    when: str | None = None  # asked only when this condition holds for the call (one of CONDITIONS)


@dataclass(frozen=True)
class Script:
    """A validated call script: courtesy lines, the identity question and the questions."""

    id: str
    name: str
    task_types: tuple[str, ...]
    prompts: dict[str, str]
    identity: Question
    questions: tuple[Question, ...]
    max_reasks: int = 2
    path: Path | None = None
    version: int | None = None  # the filed version (话术报备) this wording is, when read from the database
    sha256: str | None = None

    def lines(self) -> list[tuple[str, str]]:
        """Return every line the customer may hear, in call order, each with its Chinese label."""
        out = [("开场问候", self.prompt("greeting")), ("录音告知", self.prompt("recording_notice")),
               ("身份确认", self.identity.text), ("非本人结束语", self.prompt("wrong_person_close")),
               ("来意说明", self.prompt("introduction"))]  # fmt: skip
        out += [(f"问题{n}", q.text) for n, q in enumerate(self.questions, start=1)]
        out.append(("结束语", self.prompt("closing")))
        return out

    def prompt(self, name: str) -> str:
        """Return the courtesy line called `name` (a default when the file leaves it out)."""
        return self.prompts.get(name, DEFAULT_PROMPTS.get(name, ""))

    def question(self, question_id: str) -> Question:
        """Return the question with this id."""
        for q in (self.identity, *self.questions):
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def load_script(path: Path) -> Script:
    """Read and validate one script file; raise ScriptError listing every problem in it."""
    script, problems = _read(path)
    if problems or script is None:
        raise ScriptError("; ".join(problems))
    return script


def load_scripts(directory: Path) -> dict[str, Script]:
    """Read every script in a folder by id; raise ScriptError listing every problem found."""
    scripts, problems = check_scripts(directory)
    if problems:
        raise ScriptError("; ".join(problems))
    return scripts


def check_scripts(directory: Path) -> tuple[dict[str, Script], list[str]]:
    """Validate every `*.toml` in a folder; return the good scripts and one message per problem."""
    if not directory.is_dir():
        return {}, [f"{directory}: no such folder of scripts; pass the folder or set DIALER_SCRIPTS_DIR"]
    files = sorted(directory.glob("*.toml"))
    if not files:
        return {}, [f"{directory}: holds no *.toml script files"]
    scripts: dict[str, Script] = {}
    problems: list[str] = []
    for path in files:
        script, found = _read(path)
        problems += found
        if script is not None and not found:
            scripts[script.id] = script
    return scripts, problems


def _read(path: Path) -> tuple[Script | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [f"{path}: cannot read it ({exc.strerror})"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: not valid TOML ({exc}); fix the syntax"]
    return parse_script(text, path)


def parse_script(text: str, path: Path) -> tuple[Script | None, list[str]]:
    """Validate a script's TOML text as if it were the file `path` (its id, its audio folder)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path}: not valid TOML ({exc}); fix the syntax"]
    v = _Validator(path)
    script = v.script(data)
    return script, v.problems


class _Validator:
    """Collect every problem of one file, each naming the file, the question and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.path}: {where}: {message}")

    def script(self, data: dict[str, Any]) -> Script | None:
        self._unknown("top level", data, TOP_KEYS)
        sid = self._text("field 'id'", data.get("id"))
        if sid and sid != self.path.stem:
            self.fail("field 'id'", f"{sid!r} must equal the file name {self.path.stem!r}")
        name = self._text("field 'name'", data.get("name"))
        task_types = self._task_types(data.get("task_types"))
        max_reasks = self._max_reasks(data.get("max_reasks", 2))
        prompts = self._prompts(data.get("prompts"))
        identity = self._identity(data.get("identity"))
        questions = self._questions(data.get("questions"))
        self._opinion_words(prompts, questions)
        if self.problems or identity is None:
            return None
        return Script(sid, name, task_types, prompts, identity, questions, max_reasks, self.path)

    def _opinion_words(self, prompts: dict[str, str], questions: tuple[Question, ...]) -> None:
        """Thank for 宝贵意见 only in a call that asks for one: the closing itself never says it."""
        asks = any(q.kind == OPEN for q in questions)
        for key in sorted(set(prompts) - {"opinion_thanks"}):
            if OPINION_WORDS in prompts[key]:
                self.fail(f"[prompts] field {key!r}", f"says {OPINION_WORDS}; say it in 'opinion_thanks', "
                          "which is spoken only when an open question was asked")  # fmt: skip
        if not asks and "opinion_thanks" in prompts:
            self.fail("[prompts] field 'opinion_thanks'", "the script asks no open question; remove it")

    def _unknown(self, where: str, table: dict[str, Any], known: set[str]) -> None:
        for key in sorted(set(table) - known):
            self.fail(where, f"unknown field {key!r}; known fields: {', '.join(sorted(known))}")

    def _text(self, where: str, value: Any, *, matter: bool = True) -> str:
        if value is None:
            self.fail(where, "is missing; add it")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"must be a non-empty string, got {value!r}")
            return ""
        self._placeholders(where, value, matter)
        return value

    def _placeholders(self, where: str, text: str, matter: bool) -> None:
        try:
            fields = [
                (f, spec or conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None
            ]
        except ValueError as exc:
            self.fail(where, f"bad braces in {text!r} ({exc}); write {{{{ and }}}} for a literal brace")
            return
        for name, extra in fields:
            if extra:
                self.fail(
                    where, f"placeholder {{{name}}} takes no format spec or conversion; write {{{name}}}"
                )
            elif name not in PLACEHOLDERS:
                self.fail(where, f"unknown placeholder {{{name}}}; use one of {_braced(PLACEHOLDERS)}")
            elif not matter and name in MATTER_PLACEHOLDERS:
                self.fail(where, f"{{{name}}} is spoken before identity is confirmed; remove it")

    def _task_types(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(t, str) and t for t in value):
            self.fail("field 'task_types'", f"must be a non-empty list of task type ids, got {value!r}")
            return ()
        return tuple(value)

    def _max_reasks(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            self.fail("field 'max_reasks'", f"must be a whole number from 0 to 5, got {value!r}")
            return 2
        return value

    def _prompts(self, table: Any) -> dict[str, str]:
        if not isinstance(table, dict):
            self.fail("table [prompts]", "is missing; add it with greeting, recording_notice, … lines")
            return {}
        known = set(REQUIRED_PROMPTS) | set(DEFAULT_PROMPTS)
        self._unknown("table [prompts]", table, known)
        out: dict[str, str] = {}
        for key in sorted(known & (set(table) | set(REQUIRED_PROMPTS))):
            where = f"[prompts] field {key!r}"
            out[key] = self._text(where, table.get(key), matter=key not in BEFORE_IDENTITY)
        return out

    def _identity(self, table: Any) -> Question | None:
        if not isinstance(table, dict):
            self.fail("table [identity]", 'is missing; add text = "请问是{customer_name}{honorific}本人吗？"')
            return None
        self._unknown("table [identity]", table, IDENTITY_KEYS)
        text = self._text("[identity] field 'text'", table.get("text"), matter=False)
        audio = self._audio("[identity] field 'prompt_audio'", table.get("prompt_audio"))
        hint = self._optional_text("[identity] field 'keys_hint'", table.get("keys_hint"))
        return Question("identity", text, "identity", "no", True, False, audio, hint)

    def _questions(self, items: Any) -> tuple[Question, ...]:
        if not isinstance(items, list) or not items:
            self.fail("[[questions]]", "no questions; add at least one [[questions]] table")
            return ()
        out: list[Question] = []
        seen: set[str] = {"identity"}
        for n, table in enumerate(items, start=1):
            q = self._question(n, table)
            if q is None:
                continue
            if q.id in seen:
                self.fail(
                    f"question {q.id!r} field 'id'", "is used twice (or is reserved); ids must be unique"
                )
            seen.add(q.id)
            out.append(q)
        return tuple(out)

    def _question(self, n: int, table: Any) -> Question | None:
        if not isinstance(table, dict):
            self.fail(f"question #{n}", "must be a [[questions]] table")
            return None
        qid = table.get("id")
        label = f"question {qid!r}" if isinstance(qid, str) and qid else f"question #{n}"
        self._unknown(label, table, QUESTION_KEYS)
        if not isinstance(qid, str) or not qid.isidentifier():
            self.fail(f"{label} field 'id'", f"must be a short name like 'signed_personally', got {qid!r}")
        text = self._text(f"{label} field 'text'", table.get("text"))
        kind = self._choice(f"{label} field 'kind'", table.get("kind", "yes_no"), QUESTION_KINDS, "kind")
        bad = self._choice(f"{label} field 'bad_answer'", table.get("bad_answer", "no"), ANSWERS, "answer")
        required = self._flag(f"{label} field 'required'", table.get("required", kind != OPEN))
        escalate = self._flag(f"{label} field 'escalate_on_bad'", table.get("escalate_on_bad", False))
        if kind == OPEN and (required or escalate):
            self.fail(f"{label} field 'kind'", "an open question (意见或建议) is never required and never escalates; "
                      "remove 'required' and 'escalate_on_bad'")  # fmt: skip
        audio = self._audio(f"{label} field 'prompt_audio'", table.get("prompt_audio"))
        hint = self._optional_text(f"{label} field 'keys_hint'", table.get("keys_hint"))
        when = table.get("when")
        if when is not None:
            when = self._choice(f"{label} field 'when'", when, CONDITIONS, "condition")
        return Question(str(qid), text, kind, bad, required, escalate, audio, hint, when)

    def _choice(self, where: str, value: Any, allowed: tuple[str, ...], what: str) -> str:
        if value not in allowed:
            self.fail(where, f"unknown {what} {value!r}; use one of: {', '.join(allowed)}")
            return allowed[0]
        return str(value)

    def _flag(self, where: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(where, f"must be true or false, got {value!r}")
            return False
        return value

    def _optional_text(self, where: str, value: Any) -> str | None:
        return None if value is None else self._text(where, value)

    def _audio(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value or "/" in value or "\\" in value or value.startswith("."):
            self.fail(where, f"must be a file name inside {AUDIO_DIR}/, got {value!r}")
            return None
        if not (self.path.parent / AUDIO_DIR / value).is_file():
            self.fail(
                where,
                f"{self.path.parent / AUDIO_DIR / value} does not exist; add the file or remove the field",
            )
        return value


def _braced(names: tuple[str, ...]) -> str:
    return " ".join("{" + n + "}" for n in names)
