"""The grammar words a recognizer gets for each kind: answers plus distractors, each understood."""

from __future__ import annotations

import pytest

from dialer.policy.classify import classify, grammar_words
from dialer.policy.lexicon import GRAMMAR_DISTRACTORS, KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_yes_no_agent_and_distractor_words(kind: str) -> None:
    words = grammar_words(kind)

    assert {"是", "不是", "没有", "人工"} <= set(words)
    assert set(GRAMMAR_DISTRACTORS) <= set(words)
    assert len(words) == len(set(words))


@pytest.mark.parametrize("kind", KINDS)
def test_a_distractor_alone_is_never_taken_for_an_answer(kind: str) -> None:
    for word in GRAMMAR_DISTRACTORS:
        assert classify(word, kind).label == "unclear", word


def test_kind_words_are_in_their_grammar() -> None:
    assert "满意" in grammar_words("satisfaction") and "满意" not in grammar_words("yes_no")
    assert "打错" in grammar_words("identity")
