"""A table of whole conversations on a four-question script: what the customer says → how the call ends.

The tiny script: identity, q1 (yes_no), q2 (understanding), q3 (satisfaction, optional), q4 (bad on 是,
escalates). Each row is the answers in order, then the expected outcome, the questions recorded as
problems, whether the call went to an agent, and the final action.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.ivr.flow import AgentUnavailable, Answer, Hangup

from .helpers import talk, tiny

ALL_YES = ["yes", "yes", "yes", "yes", "no"]  # q4 is bad on 是, so the good answer is 否

ROWS = [
    # name, answers, outcome, problems, escalated, last action
    ("all good answers", ALL_YES, "succeeded", (), "", "hangup"),
    ("否 to question 3", ["yes", "yes", "yes", "no", "no"], "problem", ("q3",), "", "hangup"),
    ("否 to q1 and q2", ["yes", "no", "no", "yes", "no"], "problem", ("q1", "q2"), "", "hangup"),
    (
        "是 to the kickback question",
        ["yes", "yes", "yes", "yes", "yes"],
        None,
        ("q4",),
        "critical",
        "escalate",
    ),
    ("wrong person", ["no"], "wrong_person", (), "", "hangup"),
    ("asks for a person", ["yes", "agent"], None, (), "agent", "escalate"),
    ("two unclear in a row", ["yes", "unclear", "unclear"], None, (), "unclear", "escalate"),
    ("unclear then clear", ["yes", "unclear", "yes", "yes", "yes", "no"], "succeeded", (), "", "hangup"),
    ("hangs up mid-call", ["yes", "yes", Hangup()], None, (), "", "hangup"),
    (
        "silent on q1 till the end",
        ["yes", "no_answer", "no_answer", "no_answer", "yes", "yes", "no"],
        "problem",
        ("q1",),
        "",
        "hangup",
    ),
]


@pytest.mark.parametrize(
    ("answers", "outcome", "problems", "escalated", "last"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_each_conversation_ends_as_the_table_says(
    tmp_path: Path, answers: list, outcome: str | None, problems: tuple, escalated: str, last: str
) -> None:
    steps = talk(tiny(tmp_path), answers)
    state, final = steps[-1]
    assert final.outcome == outcome
    assert state.problems == problems
    assert state.escalated == escalated
    assert (final.escalate, final.hangup) == (last == "escalate", last == "hangup")


def test_it_records_the_bad_answer_to_question_3_as_a_problem(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", "yes", "yes", "no", "no"])
    records = [s.record for _, s in steps if s.record is not None]
    assert [(r.question_id, r.label, r.final, r.problem) for r in records] == [
        ("identity", "yes", True, False),
        ("q1", "yes", True, False),
        ("q2", "yes", True, False),
        ("q3", "no", True, True),
        ("q4", "no", True, False),
    ]
    assert records[3].question_text == "第三个问题？"
    assert [r.turn for r in records] == [1, 2, 3, 4, 5]


def test_a_good_call_says_hello_asks_everything_and_says_goodbye(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ALL_YES)
    first, last = steps[0][1], steps[-1][1]
    assert first.texts == [
        "您好！这里是平安人寿。",
        "为保障您的权益，本次通话将全程录音。",
        "请问是张伟先生本人吗？",
    ]
    assert steps[1][1].texts == ["打扰了，关于您的金福终身寿险做个回访。", "第一个问题？"]
    assert steps[2][1].texts == ["好的。", "第二个问题？"]
    assert last.texts == ["好的。", "非常感谢您的配合，祝您身体健康，再见！"]


def test_a_problem_call_says_it_was_noted_before_goodbye(tmp_path: Path) -> None:
    last = talk(tiny(tmp_path), ["yes", "no", "yes", "yes", "no"])[-1][1]
    assert last.texts[-2:] == [
        "您反映的情况我们已经详细记录，会有专人与您联系核实。",
        "非常感谢您的配合，祝您身体健康，再见！",
    ]


def test_key_0_escalates_whatever_the_label(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", Answer("unclear", keys="0")])
    state, escalate = steps[-1]
    assert escalate.escalate and escalate.texts == ["正在为您转接人工客服，请稍候。"]
    assert state.escalated == "agent"
    assert escalate.record is not None and (escalate.record.label, escalate.record.final) == ("agent", False)


def test_a_critical_answer_is_a_problem_and_ends_as_one_when_no_agent_comes(tmp_path: Path) -> None:
    steps = talk(tiny(tmp_path), ["yes", "yes", "yes", "yes", "yes", AgentUnavailable()])
    escalate, apology = steps[-2][1], steps[-1][1]
    assert escalate.record is not None and escalate.record.problem and escalate.record.final
    assert apology.texts == [
        "非常抱歉，目前人工客服繁忙，稍后会有专人给您回电。",
        "非常感谢您的配合，祝您身体健康，再见！",
    ]
    assert apology.hangup and apology.outcome == "problem"
