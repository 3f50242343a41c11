"""The state is stored on the attempt between webhooks: it must survive JSON, and any event order."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.ivr.flow import (
    AgentBridged,
    AgentUnavailable,
    Answer,
    Event,
    Hangup,
    State,
    start,
    step,
)

from .helpers import CTX, shipped

SCRIPTS = shipped()
ANSWERS = st.builds(
    Answer,
    st.sampled_from(["yes", "no", "unclear", "agent", "no_answer", "rubbish"]),
    keys=st.sampled_from(["", "", "1", "2", "0", "9"]),
)
EVENTS = st.one_of(ANSWERS, ANSWERS, ANSWERS, st.sampled_from([Hangup(), AgentUnavailable(), AgentBridged()]))


def test_a_state_round_trips_through_json() -> None:
    state = State(
        script="claim", phase="question", index=2, asks=1, unclear_streak=1, turn=5, problems=("q1",)
    )
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state


@pytest.mark.parametrize(
    "damaged",
    [
        {"script": "claim", "phase": "dancing"},
        {"script": "claim", "turn": -1},
        {"phase": "identity"},
        {"script": "c", "x": 1},
    ],
)
def test_a_damaged_state_is_refused_with_a_clear_error(damaged: dict) -> None:
    with pytest.raises(ValueError, match="stored IVR state is damaged"):
        State.from_dict(damaged)


def test_a_state_of_another_script_is_refused() -> None:
    state, _ = start(SCRIPTS["claim"], CTX)
    with pytest.raises(ValueError, match="belongs to script 'claim'"):
        step(SCRIPTS["repair"], state, Answer("yes"), CTX)


@settings(max_examples=150, deadline=None)
@given(
    script_id=st.sampled_from(sorted(SCRIPTS)),
    events=st.lists(EVENTS, max_size=40),
    age=st.sampled_from([None, 30, 75]),
)
def test_any_sequence_of_events_gives_well_formed_steps(
    script_id: str, events: list[Event], age: int | None
) -> None:
    script = SCRIPTS[script_id]
    ctx = CTX if age is None else CTX.__class__(**{**CTX.__dict__, "age": age})
    state, current = start(script, ctx)
    listens = 1
    for event in events:
        stored = json.loads(json.dumps(state.to_dict()))
        assert State.from_dict(stored) == state
        was_listening = current.listen is not None
        state, current = step(script, State.from_dict(stored), event, ctx)
        if was_listening and isinstance(event, Answer):
            assert current.record is not None, "every answer to a question is recorded"
        if current.outcome is not None:
            assert current.hangup and state.phase == "done"
        listens += current.listen is not None
        if state.phase == "done":
            assert step(script, state, event, ctx)[1].hangup
    # A call cannot go on for ever: each question is asked at most 1 + max_reasks times.
    assert listens <= 2 + (len(script.questions) + 1) * (1 + script.max_reasks)
