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
CHOICE_WORDS = {"kind": "问题类型", "answer": "回答", "condition": "条件"}


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
        return {}, [f"{directory}：没有这个话术文件夹；请指定文件夹或设置 DIALER_SCRIPTS_DIR"]
    files = sorted(directory.glob("*.toml"))
    if not files:
        return {}, [f"{directory}：没有任何 *.toml 话术文件"]
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
        return None, [f"{path}：无法读取（{exc.strerror}）"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}：不是 UTF-8 编码的文本（{exc}）；请另存为 UTF-8"]
    return parse_script(text, path)


def parse_script(text: str, path: Path) -> tuple[Script | None, list[str]]:
    """Validate a script's TOML text as if it were the file `path` (its id, its audio folder)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path}：不是有效的 TOML（{exc}）；请修正语法"]
    v = _Validator(path)
    script = v.script(data)
    return script, v.problems


class _Validator:
    """Collect every problem of one file, each naming the file, the question and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.path}：{where}：{message}")

    def script(self, data: dict[str, Any]) -> Script | None:
        self._unknown("顶层", data, TOP_KEYS)
        sid = self._text("字段 id", data.get("id"))
        if sid and sid != self.path.stem:
            self.fail("字段 id", f"{sid!r} 必须与文件名 {self.path.stem!r} 相同")
        name = self._text("字段 name", data.get("name"))
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
                self.fail(f"[prompts] 的字段 {key}", f"含有“{OPINION_WORDS}”；请写在 opinion_thanks 里，"
                          "那句只在问过意见或建议时才说")  # fmt: skip
        if not asks and "opinion_thanks" in prompts:
            self.fail("[prompts] 的字段 opinion_thanks", "本话术没有开放式问题（意见或建议）；请删除这一项")

    def _unknown(self, where: str, table: dict[str, Any], known: set[str]) -> None:
        for key in sorted(set(table) - known):
            self.fail(where, f"未知字段 {key!r}；可用的字段：{', '.join(sorted(known))}")

    def _text(self, where: str, value: Any, *, matter: bool = True) -> str:
        if value is None:
            self.fail(where, "缺少此项；请补上")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"必须是非空的文字，现在是 {value!r}")
            return ""
        self._placeholders(where, value, matter)
        return value

    def _placeholders(self, where: str, text: str, matter: bool) -> None:
        try:
            fields = [
                (f, spec or conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None
            ]
        except ValueError as exc:
            self.fail(where, f"{text!r} 中的花括号有误（{exc}）；花括号本身请写成 {{{{ 和 }}}}")
            return
        for name, extra in fields:
            if extra:
                self.fail(where, f"占位符 {{{name}}} 不能带格式说明或转换；请写成 {{{name}}}")
            elif name not in PLACEHOLDERS:
                self.fail(where, f"未知占位符 {{{name}}}；可用的占位符：{_braced(PLACEHOLDERS)}")
            elif not matter and name in MATTER_PLACEHOLDERS:
                self.fail(where, f"{{{name}}} 会在确认本人身份之前说出；请删除它")

    def _task_types(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(t, str) and t for t in value):
            self.fail("字段 task_types", f"必须是非空的任务类型编号列表，现在是 {value!r}")
            return ()
        return tuple(value)

    def _max_reasks(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            self.fail("字段 max_reasks", f"必须是 0 到 5 的整数，现在是 {value!r}")
            return 2
        return value

    def _prompts(self, table: Any) -> dict[str, str]:
        if not isinstance(table, dict):
            self.fail("表 [prompts]", "缺少此表；请添加，并写上 greeting、recording_notice 等各句")
            return {}
        known = set(REQUIRED_PROMPTS) | set(DEFAULT_PROMPTS)
        self._unknown("表 [prompts]", table, known)
        out: dict[str, str] = {}
        for key in sorted(known & (set(table) | set(REQUIRED_PROMPTS))):
            where = f"[prompts] 的字段 {key}"
            out[key] = self._text(where, table.get(key), matter=key not in BEFORE_IDENTITY)
        return out

    def _identity(self, table: Any) -> Question | None:
        if not isinstance(table, dict):
            self.fail(
                "表 [identity]", '缺少此表；请添加，如 text = "请问是{customer_name}{honorific}本人吗？"'
            )
            return None
        self._unknown("表 [identity]", table, IDENTITY_KEYS)
        text = self._text("[identity] 的字段 text", table.get("text"), matter=False)
        audio = self._audio("[identity] 的字段 prompt_audio", table.get("prompt_audio"))
        hint = self._optional_text("[identity] 的字段 keys_hint", table.get("keys_hint"))
        return Question("identity", text, "identity", "no", True, False, audio, hint)

    def _questions(self, items: Any) -> tuple[Question, ...]:
        if not isinstance(items, list) or not items:
            self.fail("[[questions]]", "没有任何问题；请至少添加一个 [[questions]] 表")
            return ()
        out: list[Question] = []
        seen: set[str] = {"identity"}
        for n, table in enumerate(items, start=1):
            q = self._question(n, table)
            if q is None:
                continue
            if q.id in seen:
                self.fail(f"问题 {q.id} 的字段 id", "重复使用（或是保留的名称）；每个问题的编号必须不同")
            seen.add(q.id)
            out.append(q)
        return tuple(out)

    def _question(self, n: int, table: Any) -> Question | None:
        if not isinstance(table, dict):
            self.fail(f"第{n}个问题", "必须是一个 [[questions]] 表")
            return None
        qid = table.get("id")
        label = f"问题 {qid}" if isinstance(qid, str) and qid else f"第{n}个问题"
        self._unknown(label, table, QUESTION_KEYS)
        if not isinstance(qid, str) or not qid.isidentifier():
            self.fail(f"{label} 的字段 id", f"必须是简短的英文名称，如 signed_personally，现在是 {qid!r}")
        text = self._text(f"{label} 的字段 text", table.get("text"))
        kind = self._choice(f"{label} 的字段 kind", table.get("kind", "yes_no"), QUESTION_KINDS, "kind")
        bad = self._choice(f"{label} 的字段 bad_answer", table.get("bad_answer", "no"), ANSWERS, "answer")
        required = self._flag(f"{label} 的字段 required", table.get("required", kind != OPEN))
        escalate = self._flag(f"{label} 的字段 escalate_on_bad", table.get("escalate_on_bad", False))
        if kind == OPEN and (required or escalate):
            self.fail(f"{label} 的字段 kind", "开放式问题（意见或建议）既不必答，也不转人工；"
                      "请删除 required 和 escalate_on_bad")  # fmt: skip
        audio = self._audio(f"{label} 的字段 prompt_audio", table.get("prompt_audio"))
        hint = self._optional_text(f"{label} 的字段 keys_hint", table.get("keys_hint"))
        when = table.get("when")
        if when is not None:
            when = self._choice(f"{label} 的字段 when", when, CONDITIONS, "condition")
        return Question(str(qid), text, kind, bad, required, escalate, audio, hint, when)

    def _choice(self, where: str, value: Any, allowed: tuple[str, ...], what: str) -> str:
        if value not in allowed:
            self.fail(where, f"未知的{CHOICE_WORDS.get(what, what)} {value!r}；可用：{', '.join(allowed)}")
            return allowed[0]
        return str(value)

    def _flag(self, where: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(where, f"必须是 true 或 false，现在是 {value!r}")
            return False
        return value

    def _optional_text(self, where: str, value: Any) -> str | None:
        return None if value is None else self._text(where, value)

    def _audio(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value or "/" in value or "\\" in value or value.startswith("."):
            self.fail(where, f"必须是 {AUDIO_DIR}/ 文件夹里的文件名，现在是 {value!r}")
            return None
        if not (self.path.parent / AUDIO_DIR / value).is_file():
            self.fail(
                where,
                f"{self.path.parent / AUDIO_DIR / value} 不存在；请放入该文件或删除此字段",
            )
        return value


def _braced(names: tuple[str, ...]) -> str:
    return " ".join("{" + n + "}" for n in names)
