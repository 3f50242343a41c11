"""The identity grammar holds third persons, so a relative's answer is heard as one, not folded into 是.

Real Vosk on the stand-in model (Korean acoustics, Chinese labels: 그→他, 아내→爱人, 엄마→妈妈, 비서→秘书).
"네 그 아내" decodes to "是 他 爱人": the issue's "是他爱人", which starts with 是 and must not be a yes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.policy.classify import classify
from dialer.speech import SpeechModel, recognize_answer


def test_the_identity_grammar_holds_the_third_persons_the_model_knows(standin_model: SpeechModel) -> None:
    words = set(json.loads(standin_model.grammar("identity")))

    assert {"他", "爱人", "老公", "妈妈", "儿子", "同事", "秘书", "朋友", "开会"} <= words
    assert "爱人" not in json.loads(standin_model.grammar("yes_no"))


@pytest.mark.parametrize(
    ("spoken", "means"),
    [("네 그 아내", "是他爱人"), ("네 그 비서", "是他秘书"), ("네 그 엄마", "是他妈妈"), ("비서", "秘书")],
)
def test_a_relative_or_colleague_is_heard_and_is_the_wrong_person(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path], spoken: str, means: str
) -> None:
    heard = recognize_answer(standin_model, phone_clip(spoken), "identity")

    verdict = classify(heard.text, "identity")
    assert verdict.label == "no", (means, heard.text)
    assert verdict.reason == "someone other than the customer answered"


def test_the_customer_in_person_is_still_a_yes(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = recognize_answer(standin_model, phone_clip("네"), "identity")

    assert classify(heard.text, "identity").label == "yes"
