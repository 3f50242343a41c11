"""Only the customer in person may hear the matter: after a "not me" nothing about it is said."""

from __future__ import annotations

import pytest

from dialer.ivr.flow import Answer, start, step
from dialer.ivr.script import Script

from .helpers import CTX, shipped, spoken, talk

SCRIPTS = shipped()
MATTER = (CTX.product, CTX.event_date)


def _content(script: Script) -> list[str]:
    """Return every text that is about the matter: the questions, the introduction and its values."""
    return [CTX.fill(q.text) for q in script.questions] + [CTX.fill(script.prompt("introduction")), *MATTER]


@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_the_wrong_person_hears_only_a_polite_goodbye(script_id: str) -> None:
    script = SCRIPTS[script_id]
    steps = talk(script, [Answer("no", transcript="不是，你打错了")])
    state, close = steps[-1]
    assert close.hangup and close.outcome == "wrong_person" and state.outcome == "wrong_person"
    after = "\n".join(close.texts)
    assert after and not any(text in after for text in _content(script))


@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_nothing_before_the_identity_answer_names_the_matter(script_id: str) -> None:
    _, opening = start(SCRIPTS[script_id], CTX)
    heard = "\n".join(opening.texts)
    assert "全程录音" in heard and "张伟先生本人" in heard
    assert not any(text in heard for text in _content(SCRIPTS[script_id]))


def test_an_identity_that_stays_unclear_closes_without_the_matter_and_retries_later() -> None:
    script = SCRIPTS["new_policy"]
    steps = talk(script, ["no_answer", "no_answer", "no_answer"])
    state, close = steps[-1]
    assert close.hangup and close.outcome is None and state.problems == ()
    assert not any(text in spoken(steps) for text in _content(script))
    assert close.record is not None and (close.record.label, close.record.problem) == ("unclear", False)


def test_a_call_already_closed_stays_closed() -> None:
    script = SCRIPTS["claim"]
    state, _ = talk(script, ["no"])[-1]
    again, close = step(script, state, Answer("yes"), CTX)
    assert again == state and close.hangup and close.outcome == "wrong_person" and not close.texts
