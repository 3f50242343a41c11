"""Two people on one policy (投、被保险人非同一人): the insured's own signature is confirmed separately.

new_policy declares the question with `when = "insured_differs"`: asked when the call list names an insured
other than the policyholder called, and never otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.errors import ScriptError
from dialer.ivr.flow import CallContext
from dialer.ivr.script import load_script

from .helpers import TINY, shipped, spoken, talk, write_script

NEW_POLICY = shipped()["new_policy"]


def _ctx(insured: str = "") -> CallContext:
    return CallContext(customer_name="张伟", honorific="先生", company="安信", product="金福终身寿险",
                       insured_name=insured)  # fmt: skip


def _good_answers(ctx: CallContext) -> list[str]:
    asked = [q for q in NEW_POLICY.questions if ctx.holds(q.when)]
    return ["yes"] + ["no" if q.bad_answer == "yes" else "yes" for q in asked]


def test_when_the_insured_is_someone_else_the_insured_signature_is_asked() -> None:
    ctx = _ctx("李娜")
    steps = talk(NEW_POLICY, _good_answers(ctx), ctx)

    heard = spoken(steps)
    assert "请问被保险人李娜，是否已在投保单的被保险人签名处本人亲笔签名？" in heard
    assert heard.index("本人亲笔签名的吗") < heard.index(
        "被保险人李娜"
    )  # after the policyholder's own signature
    assert steps[-1][0].outcome == "succeeded"
    assert len([s for _, s in steps if s.record is not None]) == 16  # identity + 14 + the insured's signature


def test_a_no_on_the_insured_signature_is_a_problem_case_and_escalates() -> None:
    ctx = _ctx("李娜")
    # identity, purchased personally, signed personally, then 否 to the insured's signature
    steps = talk(NEW_POLICY, ["yes", "yes", "yes", "no"], ctx)

    state, step = steps[-1]
    assert step.record is not None and step.record.question_id == "insured_signed" and step.record.problem
    assert step.escalate and state.problems == ("insured_signed",)


@pytest.mark.parametrize("insured", ["", "张伟"])
def test_when_the_policyholder_is_the_insured_it_is_not_asked(insured: str) -> None:
    ctx = _ctx(insured)
    steps = talk(NEW_POLICY, _good_answers(ctx), ctx)

    assert "被保险人" not in spoken(steps)
    assert steps[-1][0].outcome == "succeeded"
    assert all(s.record is None or s.record.question_id != "insured_signed" for _, s in steps)


def test_the_question_is_required_and_escalates_when_bad() -> None:
    q = NEW_POLICY.question("insured_signed")

    assert q.required and q.escalate_on_bad and q.bad_answer == "no" and q.when == "insured_differs"


def test_an_unknown_condition_is_refused_with_the_ones_allowed(tmp_path: Path) -> None:
    path = write_script(tmp_path, TINY.replace('id = "q1"', 'id = "q1"\nwhen = "insured_is_old"', 1))

    with pytest.raises(ScriptError, match="未知的条件 'insured_is_old'；可用：insured_differs"):
        load_script(path)
