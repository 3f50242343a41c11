"""A follow-up's verdict from its answers: succeeded only when every required item has a 是/否."""

from __future__ import annotations

import pytest

from dialer.policy.verdicts import ItemAnswer, Verdict, latest_answers, open_items, verdict

REQUIRED = ("signed", "received", "read")


def _a(question: str, label: str, problem: bool = False) -> ItemAnswer:
    return ItemAnswer(question, label, problem)


@pytest.mark.parametrize(
    ("answers", "expected", "still_open"),
    [
        ([], Verdict.OPEN, ["signed", "received", "read"]),  # handed over before the first question
        ([_a("signed", "yes"), _a("received", "yes")], Verdict.OPEN, ["read"]),
        ([_a("signed", "yes"), _a("received", "yes"), _a("read", "yes")], Verdict.SUCCEEDED, []),
        # A 否 that is the good answer (no kickback asked for) is still an answer.
        ([_a("signed", "yes"), _a("received", "no"), _a("read", "yes")], Verdict.SUCCEEDED, []),
        # 未能确认 or 转人工 answers nothing.
        ([_a("signed", "yes"), _a("received", "unclear"), _a("read", "agent")], Verdict.OPEN, ["received", "read"]),
        # A later 是 closes an item left 未能确认 earlier.
        ([_a("signed", "unclear"), _a("signed", "yes"), _a("received", "yes"), _a("read", "no")],
         Verdict.SUCCEEDED, []),
        # A problem makes a problem case whatever else is open ...
        ([_a("signed", "no", problem=True)], Verdict.PROBLEM, ["received", "read"]),
        # ... and stays one when the item is later answered 是: its case is filed.
        ([_a("signed", "no", problem=True), _a("signed", "yes"), _a("received", "yes"), _a("read", "yes")],
         Verdict.PROBLEM, []),
        # Answers to questions not required here (the identity, the elderly offer) decide nothing.
        ([_a("identity", "yes"), _a("elderly_offer", "no")], Verdict.OPEN, ["signed", "received", "read"]),
    ],
)  # fmt: skip
def test_the_verdict_follows_from_every_answer(
    answers: list[ItemAnswer], expected: Verdict, still_open: list[str]
) -> None:
    assert verdict(REQUIRED, answers) == expected
    assert open_items(REQUIRED, latest_answers(answers)) == still_open


def test_a_problem_the_call_already_had_makes_a_problem_case() -> None:
    answers = [_a(q, "yes") for q in REQUIRED]
    assert verdict(REQUIRED, answers) == Verdict.SUCCEEDED
    assert verdict(REQUIRED, answers, problem=True) == Verdict.PROBLEM


def test_no_required_items_means_nothing_is_open() -> None:
    assert verdict((), []) == Verdict.SUCCEEDED
