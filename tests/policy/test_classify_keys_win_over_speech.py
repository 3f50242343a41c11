"""Keys: 1 is yes, 2 is no, 0 asks for a person; a key wins over whatever was said."""

from __future__ import annotations

import pytest

from dialer.policy.classify import classify


@pytest.mark.parametrize(
    ("keys", "label"), [("1", "yes"), ("2", "no"), ("0", "agent"), ("2#", "no"), ("#1", "yes")]
)
def test_a_key_decides(keys: str, label: str) -> None:
    result = classify("", keys=keys)

    assert result.label == label and result.matched == keys.strip("#")


def test_a_key_wins_over_speech() -> None:
    assert classify("是的是的", keys="2").label == "no"


def test_a_meaningless_key_leaves_the_speech_to_decide() -> None:
    assert classify("没有", keys="5").label == "no"
    assert classify("", keys="*").label == "unclear"
