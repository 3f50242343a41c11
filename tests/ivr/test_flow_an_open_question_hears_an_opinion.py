"""An open question (意见或建议) records a free answer and moves on; it is never a problem, never re-asked, and
the closing thanks for 宝贵意见 only when one was asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.errors import ScriptError
from dialer.ivr.flow import Answer

from .helpers import TINY, talk, tiny

OPEN = (
    TINY
    + """
[[questions]]
id = "suggestions"
text = "请问您还有什么意见或建议吗？"
kind = "open"
"""
)


def test_an_opinion_is_recorded_as_open_and_the_closing_thanks_for_it(tmp_path: Path) -> None:
    script = tiny(tmp_path, OPEN)
    steps = talk(script, ["yes", "yes", "yes", "yes", "no", Answer("open")])
    asked, listen = steps[-2][1], steps[-2][1].listen
    assert listen is not None and listen.kind == "open" and not listen.keys_only and listen.max_length >= 30
    assert "意见或建议" in "".join(asked.texts) and "井号" in "".join(asked.texts)
    state, last = steps[-1]
    assert last.record is not None and (last.record.label, last.record.problem) == ("open", False)
    assert last.hangup and state.outcome == "succeeded" and state.problems == ()
    assert any("宝贵意见" in t for t in last.texts)


@pytest.mark.parametrize("silence", [Answer("no_answer"), Answer("unclear"), Answer("no", keys="2")])
def test_no_opinion_is_not_asked_again_and_is_no_problem(tmp_path: Path, silence: Answer) -> None:
    script = tiny(tmp_path, OPEN)
    state, last = talk(script, ["yes", "yes", "yes", "yes", "no", silence])[-1]
    assert last.record is not None and (last.record.label, last.record.problem) == ("no_answer", False)
    assert last.hangup and state.outcome == "succeeded"
    assert any("宝贵意见" in t for t in last.texts)  # asked for one: thanked for it


def test_a_call_that_asks_for_no_opinion_never_thanks_for_one(tmp_path: Path) -> None:
    script = tiny(tmp_path)
    _, last = talk(script, ["yes", "yes", "yes", "yes", "no"])[-1]
    assert last.hangup and not any("宝贵意见" in t for t in last.texts)


def test_a_script_may_not_say_the_thanks_in_its_closing_or_make_an_opinion_required(tmp_path: Path) -> None:
    closing = TINY.replace('closing = "非常感谢您的配合', 'closing = "感谢您的宝贵意见，非常感谢您的配合')
    with pytest.raises(ScriptError, match="opinion_thanks"):
        tiny(tmp_path / "a", closing)
    required = OPEN + "required = true\n"
    with pytest.raises(ScriptError, match="既不必答"):
        tiny(tmp_path / "b", required)
