"""A follow-up's verdict from its answers (DOMAIN.md, "Verdicts, precisely"). Pure: values in, values out.

A task succeeds only when every required item has a 是/否 from the customer in person, heard by the robot or
recorded by an agent. An item with no such answer (never asked, handed to a person, 未能确认) stays open; an
answer marked as a problem makes the follow-up a problem case whatever else is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

DECIDED = ("yes", "no")


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"  # every required item answered 是/否, none a problem
    PROBLEM = "problem"  # at least one answer is a problem case
    OPEN = "open"  # no problem yet, but a required item lacks a 是/否


@dataclass(frozen=True)
class ItemAnswer:
    """The latest final answer to one item: its label and whether it was a problem."""

    question_id: str
    label: str
    problem: bool = False


def latest_answers(answers: Iterable[ItemAnswer]) -> dict[str, ItemAnswer]:
    """Return the last answer per item, given the answers in the order they were recorded."""
    return {a.question_id: a for a in answers}


def open_items(required: Sequence[str], latest: Mapping[str, ItemAnswer]) -> list[str]:
    """Return the required items, in script order, that have no 是/否 yet."""
    return [q for q in required if q not in latest or latest[q].label not in DECIDED]


def verdict(required: Sequence[str], answers: Sequence[ItemAnswer], *, problem: bool = False) -> Verdict:
    """Return the verdict from every final answer in recorded order: a problem, still open, or succeeded.

    A problem answer stays one even when a later answer to the same item is 是: its case is filed.
    """
    if problem or any(a.problem for a in answers):
        return Verdict.PROBLEM
    return Verdict.OPEN if open_items(required, latest_answers(answers)) else Verdict.SUCCEEDED
