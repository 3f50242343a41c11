"""Whole calls on the stream path: the service, the emulator and a `dialer ear` process over real HTTP and
WebSockets. Customers answer after a pause, halfway through a question, or slowly (a greeting, a pause, then
是): every call ends with its verdict, and each answer heard live is stored like a `<Record>` answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.model import Answer, AttemptEvent, HeardAnswer, ProblemCase, Recording, TaskStatus
from dialer.speech import SpeechModel, ensure_standin_model, load_model
from tests.call.line import Line, open_line
from tests.ear.process import ear_process, free_port

YES = '{say = "네"}'
NO = '{say = "아니요"}'
# new_policy: the identity question, then fourteen questions (the last two are bad on 是).
ALL_YES = [YES] * 13 + [NO, NO]
PERSONAS = f"""
[[persona]]
match = "+8613911120001"
name = "answers-after-a-pause"
voice = "ko"
answer_after = 1.0
replies = [{", ".join([YES, '{say = "네", silence = 1.5}', *ALL_YES[2:]])}]

[[persona]]
match = "+8613911120002"
name = "talks-over-the-question"
voice = "ko"
answer_after = 1.0
replies = [{", ".join([YES, '{say = "네", barge_in = 0.5}', YES, NO, *ALL_YES[4:]])}]

[[persona]]
match = "+8613911120003"
name = "hesitates"
voice = "ko"
answer_after = 1.0
replies = [{", ".join([YES, '{say = "엄마", then = ["네"], gap = 0.8}', *ALL_YES[2:]])}]
"""


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_standin_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def model(model_dir: Path) -> SpeechModel:
    return load_model(model_dir, strict=False)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory, model_dir: Path, model: SpeechModel) -> Iterator[Line]:
    root = tmp_path_factory.mktemp("stream-line")
    ear_url = f"ws://127.0.0.1:{free_port()}/stream"
    # Speed 5: the ear must answer within a persona's reaction time (0.6 s of call time) as a person would.
    with open_line(root, PERSONAS, model, ear_url=ear_url, speed=5.0) as line:
        with ear_process(line.settings, model_dir, root / "ear.log"):
            for i, name in enumerate(("pause", "barge", "slow"), start=1):
                line.add(name, f"+86139111200{i:02d}")
            assert len(line.dial()) == 3
            line.settle()
        yield line


def _heard(line: Line, name: str) -> list[HeardAnswer]:
    [attempt] = line.attempts(name)
    with line.session() as s:
        rows = list(
            s.scalars(
                select(HeardAnswer).where(HeardAnswer.attempt_id == attempt.id).order_by(HeardAnswer.step)
            )
        )
        s.expunge_all()
    return rows


@pytest.mark.parametrize("name", ["pause", "barge", "slow"])
def test_every_answer_is_heard_live_and_the_call_ends_with_its_verdict(streamed: Line, name: str) -> None:
    [attempt] = streamed.attempts(name)
    heard = _heard(streamed, name)
    seen = [(h.step, h.status, h.text, h.speech_start_ms, h.speech_end_ms, h.final_ms) for h in heard]
    assert len(heard) == 15 and all(h.status == "final" for h in heard), (attempt.outcome, seen)
    with streamed.session() as s:
        answers = list(s.scalars(select(Answer).where(Answer.attempt_id == attempt.id, Answer.final)))
        assert len(answers) == 15 and all(a.clip_id is not None for a in answers)
        for a in answers:
            clip = s.get_one(Recording, a.clip_id)
            data = (streamed.settings.recordings_dir / (clip.path or "")).read_bytes()
            assert hashlib.sha256(data).hexdigest() == clip.sha256
        misses = s.scalars(
            select(AttemptEvent).where(
                AttemptEvent.attempt_id == attempt.id, AttemptEvent.name == "ear_missing"
            )
        )
        assert list(misses) == []
    expected = TaskStatus.PROBLEM if name == "barge" else TaskStatus.SUCCEEDED
    assert streamed.task(name).status == expected


def test_the_customer_who_talks_over_the_question_stops_it_and_is_heard(streamed: Line) -> None:
    heard = _heard(streamed, "barge")
    assert heard[1].barged_in and heard[1].text == "是"
    [attempt] = streamed.attempts("barge")
    with streamed.session() as s:
        [case] = s.scalars(select(ProblemCase).where(ProblemCase.attempt_id == attempt.id))
        assert case.answer_label == "no" and case.transcript == "不是的"
    events = streamed.emu.call(attempt.call_sid or "")
    assert events  # the emulator's log of the call (prompt cut at the update: see the recording benchmark)


def test_a_slow_answer_is_not_cut_after_its_first_word(streamed: Line) -> None:
    second = _heard(streamed, "slow")[1]
    # 엄마 (the stand-in hears a word that settles nothing), a pause of 0.8 s, then 네: one answer, not two.
    assert len(second.text.split()) == 2 and second.text.endswith("是")
    assert second.speech_start_ms is not None and second.speech_end_ms is not None
    assert second.speech_end_ms - second.speech_start_ms > 1200
