"""Unclear or silent: ask again with the keys hint, then ask for keys only, then mark the answer unclear."""

from __future__ import annotations

from pathlib import Path

from .helpers import TINY, talk, tiny

HINT = "是请按1，否请按2，转人工请按0。"


def test_silence_is_asked_again_then_keys_only_then_marked_unclear(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", "no_answer", "no_answer", "no_answer"])
    ask, reask, keys, moved_on = (s for _, s in steps[1:])
    assert ask.listen is not None and not ask.listen.keys_only and HINT not in ask.texts
    assert reask.texts == ["抱歉，刚才没有听清您的回答。", "第一个问题？", HINT]
    assert reask.listen is not None and not reask.listen.keys_only
    assert keys.texts == ["抱歉，还是没有听清，请您用电话按键回答。", "第一个问题？", HINT]
    assert keys.listen is not None and keys.listen.keys_only
    assert moved_on.listen is not None and moved_on.listen.question_id == "q2"
    records = [s.record for s in (reask, keys, moved_on)]
    assert [(r.label, r.final, r.problem) for r in records if r] == [
        ("no_answer", False, False),
        ("no_answer", False, False),
        ("unclear", True, True),
    ]


def test_an_unclear_optional_question_is_no_problem(tmp_path: Path) -> None:
    answers = ["yes", "yes", "yes", "no_answer", "no_answer", "no_answer", "no"]
    state, last = talk(tiny(tmp_path), answers)[-1]
    assert state.problems == () and last.outcome == "succeeded"


def test_each_ask_waits_on_its_own_turn(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", "no_answer", "no_answer"])
    assert [s.listen.turn for _, s in steps if s.listen] == [1, 2, 3, 4]
    assert [s.listen.question_id for _, s in steps if s.listen] == ["identity", "q1", "q1", "q1"]


def test_one_unclear_between_silences_still_gets_the_keys_ladder(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", "unclear", "no_answer", "no_answer"])
    assert steps[-2][1].listen is not None and steps[-2][1].listen.keys_only
    assert steps[-1][0].escalated == "" and steps[-1][1].listen is not None


def test_max_reasks_zero_marks_the_first_unclear_at_once(tmp_path: Path) -> None:
    script = tiny(tmp_path, TINY.replace("max_reasks = 2", "max_reasks = 0"))
    state, moved_on = talk(script, ["yes", "no_answer"])[-1]
    assert moved_on.listen is not None and moved_on.listen.question_id == "q2"
    assert state.problems == ("q1",)


def test_max_reasks_one_asks_again_by_voice_only(tmp_path: Path) -> None:
    script = tiny(tmp_path, TINY.replace("max_reasks = 2", "max_reasks = 1"))
    _, reask = talk(script, ["yes", "no_answer"])[-1]
    assert reask.listen is not None and not reask.listen.keys_only and reask.listen.question_id == "q1"
