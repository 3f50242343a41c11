"""A question declares its bad answer: "是否有人向您索要好处?" is bad on 是."""

from __future__ import annotations

import pytest

from dialer.policy.classify import classify


def test_no_is_bad_by_default() -> None:
    assert classify("没有").is_bad
    assert not classify("是的").is_bad


def test_a_question_bad_on_yes_flags_a_yes() -> None:
    assert classify("有", bad_answer="yes").is_bad
    assert not classify("没有没有", bad_answer="yes").is_bad
    assert not classify("对，没有", bad_answer="yes").is_bad  # agreeing that nobody asked


def test_unclear_and_agent_are_never_the_bad_answer() -> None:
    assert not classify("不知道").is_bad
    assert not classify("转人工", bad_answer="yes").is_bad


def test_a_nonsense_bad_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="bad_answer must be 'yes' or 'no'"):
        classify("是", bad_answer="maybe")


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown question kind 'age'; use one of: yes_no, satisfaction"):
        classify("是", kind="age")
