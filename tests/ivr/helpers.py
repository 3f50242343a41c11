"""Shared helpers for the IVR tests: the shipped scripts, a tiny script on disk, and a talking customer."""

from __future__ import annotations

from pathlib import Path

from dialer.ivr.flow import Answer, CallContext, Event, State, Step, start, step
from dialer.ivr.script import Script, load_script, load_scripts
from dialer.settings import PROJECT_ROOT

SCRIPTS_DIR = PROJECT_ROOT / "ivr_scripts"
CTX = CallContext(
    customer_name="张伟",
    honorific="先生",
    company="平安人寿",
    product="金福终身寿险",
    event_date="2024年3月5日",
)

TINY = """\
id = "tiny"
name = "测试话术"
task_types = ["general_service"]
max_reasks = 2

[prompts]
greeting = "您好！这里是{company}。"
recording_notice = "为保障您的权益，本次通话将全程录音。"
introduction = "打扰了，关于您的{product}做个回访。"
wrong_person_close = "不好意思，打扰您了，再见！"
closing = "非常感谢您的配合，祝您身体健康，再见！"

[identity]
text = "请问是{customer_name}{honorific}本人吗？"

[[questions]]
id = "q1"
text = "第一个问题？"

[[questions]]
id = "q2"
text = "第二个问题？"
kind = "understanding"

[[questions]]
id = "q3"
text = "第三个问题？"
kind = "satisfaction"
required = false

[[questions]]
id = "q4"
text = "有人索要好处吗？"
bad_answer = "yes"
escalate_on_bad = true
"""


def shipped() -> dict[str, Script]:
    """Return every script shipped in ivr_scripts/."""
    return load_scripts(SCRIPTS_DIR)


def write_script(folder: Path, text: str = TINY, name: str = "tiny") -> Path:
    """Write a script file and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def tiny(tmp_path: Path, text: str = TINY) -> Script:
    """Return the tiny four-question script, loaded from disk."""
    return load_script(write_script(tmp_path, text))


def talk(script: Script, events: list[Event | str], ctx: CallContext = CTX) -> list[tuple[State, Step]]:
    """Run a call: start, then one step per event (a bare string is an Answer label)."""
    state, first = start(script, ctx)
    steps = [(state, first)]
    for event in events:
        ev = Answer(event) if isinstance(event, str) else event
        state, nxt = step(script, state, ev, ctx)
        steps.append((state, nxt))
    return steps


def spoken(steps: list[tuple[State, Step]]) -> str:
    """Return everything the customer heard, joined."""
    return "\n".join(t for _, s in steps for t in s.texts)
