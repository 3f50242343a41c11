"""Status words are named once in the model: every member has a Chinese label, and the groups add up."""

from __future__ import annotations

import inspect
import re
from enum import StrEnum

from dialer.model import states
from dialer.model.states import (
    CALL_RANK,
    CALLS_AT_GATEWAY,
    CALLS_FINISHED,
    CALLS_IN_FLIGHT,
    ESCALATIONS_ACTIVE,
    ESCALATIONS_FINISHED,
    LABELS,
    CallStatus,
    EscalationStatus,
    label,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def vocabularies() -> list[type[StrEnum]]:
    return [
        v
        for _, v in inspect.getmembers(states, inspect.isclass)
        if issubclass(v, StrEnum) and v is not StrEnum
    ]


def test_every_vocabulary_has_a_label_table() -> None:
    assert set(vocabularies()) == set(LABELS)


def test_every_member_has_a_chinese_label() -> None:
    for vocabulary in vocabularies():
        for member in vocabulary:
            assert CHINESE.search(label(member)), f"{vocabulary.__name__}.{member.name} has no Chinese label"
        assert set(LABELS[vocabulary]) == set(vocabulary), vocabulary.__name__


def test_each_call_status_is_in_flight_or_finished_and_ranked() -> None:
    assert set(CallStatus) == CALLS_IN_FLIGHT | CALLS_FINISHED
    assert not CALLS_IN_FLIGHT & CALLS_FINISHED
    assert CALLS_AT_GATEWAY < CALLS_IN_FLIGHT
    assert set(CALL_RANK) == set(CallStatus)
    assert all(CALL_RANK[a] < CALL_RANK[f] for a in CALLS_IN_FLIGHT for f in CALLS_FINISHED)


def test_each_escalation_status_is_active_or_finished() -> None:
    assert set(EscalationStatus) == ESCALATIONS_ACTIVE | ESCALATIONS_FINISHED
    assert not ESCALATIONS_ACTIVE & ESCALATIONS_FINISHED
