"""An answer nobody waits for any more is not transcribed, so it does not take a core the next caller needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from dialer.speech import PAST_DEADLINE, SpeechModel, recognize_answer


def test_a_clip_taken_from_the_queue_after_its_deadline_is_not_transcribed(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = recognize_answer(standin_model, phone_clip("네"), "yes_no", deadline=time.monotonic() - 1)
    assert heard.no_answer_reason == PAST_DEADLINE
    assert heard.text == "" and heard.words == ()


def test_with_time_to_spare_the_answer_is_heard(
    standin_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = recognize_answer(standin_model, phone_clip("네"), "yes_no", deadline=time.monotonic() + 60)
    assert heard.no_answer_reason is None
    assert heard.text in ("是", "对")  # espeak's 네 and 예 sound alike; the stand-in names them 是 and 对
