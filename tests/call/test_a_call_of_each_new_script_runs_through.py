"""A call of each script added for the seeds' businesses runs through the emulator with the stand-in model.

All of them are dialled in one pass. Each customer gives the good answer to every question: 是 (네), and 否
(아니요) where the script marks 是 as the bad answer (索要好处、承诺额外收益、吃拿卡要). Every question is asked and
heard so, and every call succeeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.ivr.script import Script, load_script
from dialer.model import Answer
from dialer.settings import PROJECT_ROOT
from tests.call.line import Line, open_line

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
PHONES = {script: f"+86139333{n:05d}" for n, script in enumerate(NEW_SCRIPTS, start=1)}


def script(script_id: str) -> Script:
    return load_script(PROJECT_ROOT / "ivr_scripts" / f"{script_id}.toml")


def good_answers(s: Script) -> list[tuple[str, str]]:
    """Return (question id, good label) for the identity question and each question asked."""
    asked = [q for q in s.questions if q.when is None]
    return [("identity", "yes")] + [(q.id, "no" if q.bad_answer == "yes" else "yes") for q in asked]


def persona(script_id: str) -> str:
    says = {"yes": '{say = "네"}', "no": '{say = "아니요"}'}
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
        for script, task_type in NEW_SCRIPTS.items():
            line.add(script, PHONES[script], task_type=task_type)
        placed = line.dial()
        assert len(placed) == len(NEW_SCRIPTS) and all(c.call_sid for c in placed), [
            c.as_dict() for c in placed
        ]
        line.settle(timeout=480)  # the first run renders each new line's speech once (cached afterwards)
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
