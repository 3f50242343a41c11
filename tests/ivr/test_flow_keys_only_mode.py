"""With no speech model loaded every answer is a key: each question is a one-key prompt with the hint."""

from __future__ import annotations

import dataclasses

from .helpers import CTX, shipped, talk

KEYS_ONLY = dataclasses.replace(CTX, keys_only=True)
SCRIPT = shipped()["claim"]


def test_every_question_asks_for_a_key_and_says_which() -> None:
    steps = talk(SCRIPT, ["yes", "yes", "yes"], KEYS_ONLY)
    listens = [s for _, s in steps if s.listen]
    assert all(s.listen is not None and s.listen.keys_only for s in listens)
    assert steps[0][1].texts[-1] == "是请按1，否请按2，转人工请按0。"
    assert steps[1][1].texts[-1] == "满意请按1，不满意请按2，转人工请按0。"  # the question's own hint


def test_a_missed_key_is_asked_again_with_the_plain_reask() -> None:
    _, reask = talk(SCRIPT, ["yes", "no_answer"], KEYS_ONLY)[-1]
    assert reask.texts[0] == "抱歉，刚才没有听清您的回答。"
    assert reask.listen is not None and reask.listen.keys_only
