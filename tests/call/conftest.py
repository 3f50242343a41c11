"""Fixtures: the stand-in speech model (once per session) and one campaign of real calls shared by the files.

Every scenario's customer is imported up front and dialled in the same pass, so the calls run side by side
through the emulator (real HTTP, real audio, the real Vosk recognizer) and the suite pays for the longest
call once. Each test file then reads what happened to its own customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer.settings import PROJECT_ROOT
from tests.call.line import Line, open_line
from tests.demo_run import run_demo

__all__ = ["run_demo"]

# The stand-in model decodes Korean 네/예/아니요/아뇨/상담 as 是/对/不是的/没有/人工, so customers speak Korean.
# new_policy asks the identity question and then 14 questions; the last two ("索要过好处", "承诺过…额外收益") are
# bad on 是.
PERSONAS = """
[[persona]]
match = "+8613911110001"
name = "says-yes-to-everything"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "아니요"}, {say = "아니요"}]

[[persona]]
match = "+8613911110002"
name = "says-no-to-question-3"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "네"}, {say = "네"}, {say = "아니요"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "아니요"}, {say = "아니요"}]

[[persona]]
match = "+8613911110003"
name = "the-wrong-person"
voice = "ko"
answer_after = 1.0
replies = [{say = "아니요"}, {say = "네"}, {say = "네"}]

[[persona]]
match = "+8613911110004"
name = "presses-zero"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {keys = "0"}]

[[persona]]
match = "+8613911110005"
name = "hangs-up-mid-call"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "네"}, {hangup = true}]

[[persona]]
match = "+8613911110006"
name = "silent-then-keys"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {silence = 6}, {silence = 6}, {keys = "1"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "아니요"}, {say = "아니요"}]

# The stand-in also names 그→他, 아내→爱人, 엄마→妈妈: "네 그 아내" is heard as "是 他 爱人".
[[persona]]
match = "+8613911110007"
name = "the-spouse-who-starts-with-yes"
voice = "ko"
answer_after = 1.0
replies = [{say = "네 그 아내"}, {say = "네"}, {say = "네"}]

[[persona]]
match = "+8613911110008"
name = "a-greeting-then-the-mother"
voice = "ko"
answer_after = 1.0
replies = [{say = "안녕"}, {say = "네 그 엄마"}, {say = "네"}, {say = "네"}]

# A voicemail box: it answers, plays its greeting and a beep, and would record whatever it hears.
[[persona]]
match = "+8613911110009"
name = "a-voicemail-box"
outcome = "voicemail"
answer_after = 1.0
hangup_after = 40

[[persona]]
match = "+862161230001"
name = "agent-wang"
agent = true
answer_after = 1.0
talk_for = 6
agent_say = "您好，我是回访专员小王，请问有什么可以帮您？"
"""
CUSTOMERS = {
    "all_yes": ("张伟", "+8613911110001"),
    "no_to_q3": ("陈静", "+8613911110002"),
    "wrong_person": ("赵军", "+8613911110003"),
    "key_zero": ("周敏", "+8613911110004"),
    "hangs_up": ("吴涛", "+8613911110005"),
    "silent": ("孙明", "+8613911110006"),
    "spouse": ("钱刚", "+8613911110007"),
    "mother": ("郑丽", "+8613911110008"),
    "voicemail": ("冯雪", "+8613911110009"),
}


@pytest.fixture(scope="session")
def speech() -> object:
    """The Chinese-labelled stand-in of the Korean test model, loaded once (2.5 s, ~500 MB)."""
    from dialer.speech import ensure_standin_model, load_model

    return load_model(ensure_standin_model(PROJECT_ROOT / "var" / "models"), strict=False)


@pytest.fixture(scope="session")
def campaign(tmp_path_factory: pytest.TempPathFactory, speech: object) -> Iterator[Line]:
    """Dial every scenario's customer in one pass and wait until the calls and recordings are done."""
    root: Path = tmp_path_factory.mktemp("campaign")
    with open_line(root, PERSONAS, speech) as line:
        for name, phone in CUSTOMERS.values():
            line.add(name, phone)
        placed = line.dial()
        assert len(placed) == len(CUSTOMERS) and all(c.call_sid for c in placed), [
            c.as_dict() for c in placed
        ]
        line.settle()
        yield line


def name_of(scenario: str) -> str:
    return CUSTOMERS[scenario][0]
