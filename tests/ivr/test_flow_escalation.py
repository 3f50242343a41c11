"""Escalation to a person, and what happens once the call is in the agent queue."""

from __future__ import annotations

from pathlib import Path

from dialer.ivr.flow import AgentBridged, AgentUnavailable, Answer, Hangup, step

from .helpers import CTX, talk, tiny


def test_two_unclear_answers_in_a_row_across_questions_escalate(tmp_path: Path) -> None:
    # q1 ends unclear after its re-asks (the last one unclear), then q2's first answer is unclear too.
    steps = talk(tiny(tmp_path), ["yes", "no_answer", "no_answer", "unclear", "unclear"])
    state, last = steps[-1]
    assert last.escalate and state.escalated == "unclear"
    assert last.record is not None and last.record.question_id == "q2"


def test_a_clear_answer_breaks_the_unclear_streak(tmp_path: Path) -> None:
    state, last = talk(tiny(tmp_path), ["yes", "unclear", "yes", "unclear"])[-1]
    assert not last.escalate and state.unclear_streak == 1


def test_the_identity_question_may_ask_for_a_person(tmp_path: Path) -> None:
    state, last = talk(tiny(tmp_path), ["agent"])[-1]
    assert last.escalate and state.escalated == "agent"


def test_a_bridged_agent_ends_the_ivr_part_quietly(tmp_path: Path) -> None:
    state, last = talk(tiny(tmp_path), ["yes", "agent", AgentBridged()])[-1]
    assert last.hangup and not last.texts and last.outcome is None and state.phase == "done"


def test_no_agent_means_an_apology_and_a_polite_close(tmp_path: Path) -> None:
    _, last = talk(tiny(tmp_path), ["yes", "agent", AgentUnavailable()])[-1]
    assert last.texts[0] == "非常抱歉，目前人工客服繁忙，稍后会有专人给您回电。"
    assert last.texts[-1].endswith("再见！") and last.hangup


def test_a_stray_answer_while_queued_keeps_the_caller_queued(tmp_path: Path) -> None:
    script = tiny(tmp_path)
    queued, _ = talk(script, ["yes", "agent"])[-1]
    again, stay = step(script, queued, Answer("yes"), CTX)
    assert again == queued and stay.escalate and not stay.texts


def test_an_agent_event_before_any_escalation_asks_the_question_again(tmp_path: Path) -> None:
    script = tiny(tmp_path)
    asking, _ = talk(script, ["yes"])[-1]
    again, ask = step(script, asking, AgentUnavailable(), CTX)
    assert again == asking and ask.listen is not None and ask.listen.question_id == "q1"


def test_hanging_up_in_the_queue_leaves_the_outcome_open(tmp_path: Path) -> None:
    state, last = talk(tiny(tmp_path), ["yes", "agent", Hangup()])[-1]
    assert last.hangup and last.outcome is None and state.phase == "done"
