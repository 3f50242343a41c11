"""The real Vosk recognizer, real Korean model, telephone-quality synthetic answers, grammar mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.speech import SpeechModel, recognize_words, transcribe_free
from tests.speech.conftest import KOREAN_GRAMMAR, NO_WORDS, YES_WORDS


@pytest.mark.parametrize("word", YES_WORDS)
def test_it_hears_a_yes_on_a_phone_line(
    korean_model: SpeechModel, phone_clip: Callable[[str], Path], word: str
) -> None:
    heard = recognize_words(korean_model, phone_clip(word), KOREAN_GRAMMAR)

    assert heard.no_answer_reason is None
    assert heard.text in YES_WORDS  # espeak's 네 and 예 sound alike; both are yes


@pytest.mark.parametrize("word", NO_WORDS)
def test_it_hears_a_no_on_a_phone_line(
    korean_model: SpeechModel, phone_clip: Callable[[str], Path], word: str
) -> None:
    heard = recognize_words(korean_model, phone_clip(word), KOREAN_GRAMMAR)

    assert heard.text in NO_WORDS


def test_it_reports_the_clip_length_and_time_taken(
    korean_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = recognize_words(korean_model, phone_clip("아니요"), KOREAN_GRAMMAR)

    assert 0.5 < heard.duration < 2.0
    assert heard.elapsed > 0


def test_free_form_reuses_one_recognizer_and_resets_it(
    korean_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    first = transcribe_free(korean_model, phone_clip("예"))
    recognizer = korean_model.free_form.recognizer
    second = transcribe_free(korean_model, phone_clip("예"))

    assert korean_model.free_form.recognizer is recognizer is not None
    assert first.text == second.text  # nothing left over from the first clip
    assert first.no_answer_reason is None
