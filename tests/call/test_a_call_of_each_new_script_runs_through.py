"""A call of each script added for the seeds' businesses runs through the emulator with the stand-in model.

All of them are dialled in one pass. Each customer gives the good answer to every question: 是 (네), and 否
(아니요) where the script marks 是 as the bad answer (索要好处、承诺额外收益、吃拿卡要), and leaves an opinion where the
script asks for one (意见或建议). Every question is asked and heard so, and every call succeeds. An opinion is
kept as a clip, transcribed afterwards by the worker, filed as a suggestion (never a problem case) and shown on
the call page; the closing thanks for 宝贵意见 only in the calls that asked for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.ivr.script import Script, load_script
from dialer.model import Answer, ProblemCase, Role, Suggestion, User
from dialer.model.users import hash_password
from dialer.settings import PROJECT_ROOT
from dialer.worker.suggestions import transcribe_suggestions
from tests.call.line import Line, open_line
from tests.web.seed import PASSWORD, sign_in

NEW_SCRIPTS = {  # script → its task type
    "property_new_policy": "property_new_policy",
    "claim_survey": "claim_survey",
    "new_policy_dividend": "new_policy_dividend",
    "new_policy_universal": "new_policy_universal",
    "new_policy_unit_linked": "new_policy_unit_linked",
    "outpatient": "outpatient",
    "chronic_disease": "chronic_disease",
    "employee_family": "employee_family",
    "sales_lead": "lead",
}
OPINIONS = {"property_new_policy", "claim_survey", "outpatient", "employee_family"}  # they ask for one
PHONES = {script: f"+86139333{n:05d}" for n, script in enumerate(NEW_SCRIPTS, start=1)}


def script(script_id: str) -> Script:
    return load_script(PROJECT_ROOT / "ivr_scripts" / f"{script_id}.toml")


def good_answers(s: Script) -> list[tuple[str, str]]:
    """Return (question id, good label) for the identity question and each question asked."""
    asked = [q for q in s.questions if q.when is None]
    good = [(q.id, "open" if q.kind == "open" else "no" if q.bad_answer == "yes" else "yes") for q in asked]
    return [("identity", "yes"), *good]


def persona(script_id: str) -> str:
    says = {"yes": '{say = "네"}', "no": '{say = "아니요"}', "open": '{say = "네 그 아내 상담"}'}
    replies = ", ".join(says[label] for _, label in good_answers(script(script_id)))
    return f"""
[[persona]]
match = "{PHONES[script_id]}"
name = "{script_id}"
voice = "ko"
answer_after = 1.0
replies = [{replies}]
"""


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory, speech: object) -> Iterator[Line]:
    root: Path = tmp_path_factory.mktemp("new-scripts")
    with open_line(root, "".join(persona(sid) for sid in NEW_SCRIPTS), speech) as line:
        with line.db.session() as s, s.begin():
            s.add(User(username="wang_qc", role=Role.COMPLIANCE, password_hash=hash_password(PASSWORD)))
        for script, task_type in NEW_SCRIPTS.items():
            line.add(script, PHONES[script], task_type=task_type)
        placed = line.dial()
        assert len(placed) == len(NEW_SCRIPTS) and all(c.call_sid for c in placed), [
            c.as_dict() for c in placed
        ]
        line.settle(timeout=480)  # the first run renders each new line's speech once (cached afterwards)
        assert transcribe_suggestions(line.settings, line.db, speech) == len(OPINIONS)  # type: ignore[arg-type]
        yield line


@pytest.mark.parametrize("script_id", sorted(NEW_SCRIPTS))
def test_the_call_asks_every_question_and_hears_each_answer(line: Line, script_id: str) -> None:
    s = script(script_id)
    [attempt] = line.attempts(script_id)
    assert (attempt.script, attempt.script_version) == (script_id, 1)
    with line.session() as session:
        answers = list(session.scalars(
            select(Answer).where(Answer.attempt_id == attempt.id, Answer.final).order_by(Answer.id)
        ))  # fmt: skip
    heard = [(a.question_id, a.label) for a in answers]
    assert heard == good_answers(s), [(a.question_id, a.label, a.transcript) for a in answers]
    assert attempt.outcome == "succeeded", attempt.error_message
    spoken = "".join(line.documents(attempt.call_sid or ""))
    plain = [q.text for q in s.questions if q.when is None and not set(q.text) & set("{[")]
    assert plain and all(text in spoken for text in plain)


@pytest.mark.parametrize("script_id", sorted(NEW_SCRIPTS))
def test_an_opinion_is_transcribed_filed_as_a_suggestion_and_thanked_for(line: Line, script_id: str) -> None:
    [attempt] = line.attempts(script_id)
    with line.session() as session:
        suggestions = list(session.scalars(select(Suggestion).where(Suggestion.attempt_id == attempt.id)))
        cases = list(session.scalars(select(ProblemCase).where(ProblemCase.attempt_id == attempt.id)))
    closing = line.documents(attempt.call_sid or "")[-1]
    assert cases == []
    if script_id not in OPINIONS:
        assert suggestions == [] and "宝贵意见" not in closing
        return
    [suggestion] = suggestions
    assert suggestion.status == "new" and suggestion.transcript, suggestion.last_error
    assert "宝贵意见" in closing
    client = line.app.test_client()
    sign_in(client, "compliance")
    page = client.get(f"/calls/{attempt.id}").get_data(as_text=True)
    assert "客户意见建议" in page and suggestion.transcript in page
