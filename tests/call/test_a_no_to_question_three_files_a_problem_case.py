"""否 to question 3: a problem case on that question, holding the clip of the customer saying it."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from dialer.ivr.script import load_scripts
from dialer.model import Answer, ProblemCase, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import Line


def _case(campaign: Line) -> tuple[ProblemCase, Answer]:
    [attempt] = campaign.attempts(name_of("no_to_q3"))
    with campaign.session() as s:
        [case] = s.scalars(select(ProblemCase).where(ProblemCase.attempt_id == attempt.id)).all()
        answer = s.get_one(Answer, case.answer_id)
        assert answer.clip is not None
        s.expunge_all()
    return case, answer


def test_the_case_is_about_question_three(campaign: Line) -> None:
    script = load_scripts(campaign.settings.scripts_dir)["new_policy"]
    third = [q for q in script.questions if q.when is None][2]  # the list names no insured: the third asked
    case, answer = _case(campaign)
    assert (case.question_id, case.question_text) == (third.id, third.text)
    assert case.answer_label == "no" and answer.label == "no" and answer.problem and answer.final
    assert case.department == "个险部"


def test_the_case_holds_the_transcript_and_the_clip_it_was_heard_from(campaign: Line) -> None:
    case, answer = _case(campaign)
    assert case.transcript == answer.transcript == "不是的"  # 아니요, decoded by the stand-in model
    clip = answer.clip
    assert clip is not None and clip.kind == "clip" and clip.path
    stored = (campaign.settings.recordings_dir / clip.path).read_bytes()
    assert stored[:4] == b"RIFF" and len(stored) == clip.size
    assert hashlib.sha256(stored).hexdigest() == clip.sha256


def test_the_call_goes_on_to_the_end_and_the_task_is_a_problem(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("no_to_q3"))
    with campaign.session() as s:
        final = s.scalars(
            select(Answer.question_id).where(Answer.attempt_id == attempt.id, Answer.final)
        ).all()
    assert len(final) == 15  # the identity question and fourteen questions
    assert attempt.outcome == "problem"
    assert campaign.task(name_of("no_to_q3")).status == TaskStatus.PROBLEM
