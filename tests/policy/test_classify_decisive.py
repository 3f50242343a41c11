"""A live listener ends an answer at a short pause only when the words so far settle it."""

from __future__ import annotations

import pytest

from dialer.policy.classify import decisive

TABLE = [
    ("是的", "yes_no", True),
    ("不是", "yes_no", True),
    ("人工", "yes_no", True),
    ("嗯", "yes_no", False),  # 嗯 alone is yes, but "嗯……不是" is no: wait for the rest
    ("好", "yes_no", False),
    ("喂", "yes_no", False),  # a greeting; the answer may follow
    ("你好", "identity", False),
    ("", "yes_no", False),
    ("嗯 不是", "yes_no", True),
    ("我是", "identity", True),
]


@pytest.mark.parametrize(("text", "kind", "settled"), TABLE)
def test_it_tells_a_settled_answer_from_a_beginning(text: str, kind: str, settled: bool) -> None:
    assert decisive(text, kind) is settled
