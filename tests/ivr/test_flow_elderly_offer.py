"""Customers aged `elderly_age` or more are offered a person right after identity is confirmed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dialer.ivr.flow import AgentBridged, step

from .helpers import CTX, talk, tiny

OFFER = "为了更好地为您服务，请问您需要转接人工客服吗？需要请按1，不需要请按2。"
ELDER = dataclasses.replace(CTX, age=72)


def test_an_elderly_customer_is_offered_a_person_after_the_introduction(tmp_path: Path) -> None:
    _, offer = talk(tiny(tmp_path), ["yes"], ELDER)[-1]
    assert offer.texts[-1] == OFFER
    assert offer.listen is not None and offer.listen.question_id == "elderly_offer"


def test_saying_yes_to_the_offer_escalates(tmp_path: Path) -> None:
    state, last = talk(tiny(tmp_path), ["yes", "yes"], ELDER)[-1]
    assert last.escalate and state.escalated == "elderly"
    assert last.record is not None and last.record.question_text == OFFER


def test_declining_the_offer_goes_on_to_the_questions(tmp_path: Path) -> None:
    _, last = talk(tiny(tmp_path), ["yes", "no"], ELDER)[-1]
    assert last.listen is not None and last.listen.question_id == "q1" and last.texts == ["第一个问题？"]


def test_an_unclear_reply_to_the_offer_is_not_asked_again(tmp_path: Path) -> None:
    _, last = talk(tiny(tmp_path), ["yes", "no_answer"], ELDER)[-1]
    assert last.listen is not None and last.listen.question_id == "q1"


def test_the_age_threshold_is_configurable(tmp_path: Path) -> None:
    younger = dataclasses.replace(CTX, age=59)
    assert talk(tiny(tmp_path), ["yes"], younger)[-1][1].listen.question_id == "q1"  # type: ignore[union-attr]
    lower = dataclasses.replace(younger, elderly_age=55)
    assert talk(tiny(tmp_path), ["yes"], lower)[-1][1].texts[-1] == OFFER


def test_an_unknown_age_gets_no_offer(tmp_path: Path) -> None:
    assert OFFER not in talk(tiny(tmp_path), ["yes"])[-1][1].texts


def test_a_stale_agent_event_during_the_offer_repeats_the_offer(tmp_path: Path) -> None:
    script = tiny(tmp_path)
    offered, _ = talk(script, ["yes"], ELDER)[-1]
    again, ask = step(script, offered, AgentBridged(), ELDER)
    assert again == offered and ask.texts == [OFFER]


def test_with_keys_only_the_offer_is_not_followed_by_the_generic_hint(tmp_path: Path) -> None:
    _, offer = talk(tiny(tmp_path), ["yes"], dataclasses.replace(ELDER, keys_only=True))[-1]
    assert offer.texts[-1] == OFFER and offer.listen is not None and offer.listen.keys_only
