"""Korean speech through real Vosk decoding into Chinese words, then the classifier.

What this proves: grammar JSON with Chinese words reaches Vosk intact (ensure_ascii=False), the
find_word checks and grammar building work on Chinese labels, the unknown token is probed, CJK
output is joined, and the classifier labels what the recognizer produced — the whole answer path.
What it does not prove: anything about Mandarin accuracy. The stand-in is the Korean model with
eight words renamed (네→是, 예→对, 아니→不是, 아뇨→没有, 아니요→不是的, 상담→人工, 안녕→你好,
누구→哪位); the acoustics are Korean.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.policy.classify import classify
from dialer.speech import SpeechModel, recognize_answer


@pytest.mark.parametrize(
    ("spoken", "label"),
    [("네", "yes"), ("예", "yes"), ("아니요", "no"), ("아니오", "no"), ("안녕", "unclear")],
)
def test_a_korean_answer_is_classified_through_chinese_words(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path], spoken: str, label: str
) -> None:
    heard = recognize_answer(standin_model, phone_clip(spoken), "yes_no")

    assert classify(heard.text, "yes_no").label == label


def test_the_stand_in_speaks_chinese_not_korean(standin_model: SpeechModel) -> None:
    assert standin_model.has_word("是") and standin_model.has_word("不是的")
    assert not standin_model.has_word("네")
    assert standin_model.unknown_token == "<UNK>"


def test_the_grammar_holds_raw_chinese_not_escapes(standin_model: SpeechModel) -> None:
    grammar = standin_model.grammar("yes_no")

    assert "\\u" not in grammar
    assert {"是", "不是", "没有", "<UNK>"} <= set(json.loads(grammar))


def test_a_bad_answer_on_yes_is_flagged(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = recognize_answer(standin_model, phone_clip("예"), "yes_no")

    assert classify(heard.text, "yes_no", bad_answer="yes").is_bad
