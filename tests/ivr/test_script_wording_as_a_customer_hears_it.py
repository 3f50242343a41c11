"""The shipped scripts as a customer hears them: one 您好, no thanks for opinions never asked, the hotline
spoken, no bare 产品, the 犹豫期 from the list or the task type, the company per task type, one thing a question."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.ivr.flow import AgentUnavailable, CallContext
from dialer.ivr.wording import script_values
from dialer.settings import PROJECT_ROOT, Settings
from dialer.tasktypes import load_task_types

from .helpers import shipped, spoken, talk

SCRIPTS = shipped()
TYPES = load_task_types(PROJECT_ROOT / "config")


def _ctx(**values: str) -> CallContext:
    return CallContext(
        **{
            "customer_name": "张伟",
            "honorific": "先生",
            "company": "安信",
            "event_date": "11月20日",
            **values,
        }
    )


def _all_yes(script_id: str, ctx: CallContext) -> str:
    script = SCRIPTS[script_id]
    asked = [q for q in script.questions if ctx.holds(q.when)]
    answers = ["yes"] + ["no" if q.bad_answer == "yes" else "yes" for q in asked]
    return spoken(talk(script, answers, ctx))


@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_nihao_is_said_once_in_a_whole_call(script_id: str) -> None:
    heard = _all_yes(script_id, _ctx(product="金福终身寿险"))

    assert heard.count("您好") == 1, heard


@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_a_call_handed_over_at_the_first_question_is_not_thanked_for_opinions(script_id: str) -> None:
    # The closing also ends a call whose customer asked for a person before any question was answered.
    heard = spoken(talk(SCRIPTS[script_id], ["yes", "agent", AgentUnavailable()], _ctx()))

    assert "意见" not in heard.split("繁忙")[-1], heard


def test_the_new_policy_closing_speaks_the_hotline() -> None:
    heard = _all_yes("new_policy", _ctx(product="金福终身寿险", hotline="4008-123-456"))

    assert "欢迎拨打我公司客服电话4008-123-456。" in heard


def test_without_a_hotline_the_closing_does_not_promise_a_number() -> None:
    heard = _all_yes("new_policy", _ctx(product="金福终身寿险"))

    assert "客服电话" not in heard and "本次回访到此结束。非常感谢您的配合" in heard


@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_an_unknown_product_is_rephrased_never_the_bare_word(script_id: str) -> None:
    heard = _all_yes(script_id, _ctx())

    assert not any(f"产品{mark}" in heard for mark in "，。的理相服维"), heard  # "投保了我公司的产品。"
    assert "[" not in heard and "{" not in heard, heard


def test_a_known_product_is_named() -> None:
    assert "感谢您于11月20日投保了我公司的金福终身寿险。" in _all_yes(
        "new_policy", _ctx(product="金福终身寿险")
    )
    assert "感谢您于11月20日在我公司投保。" in _all_yes("new_policy", _ctx())


@pytest.mark.parametrize(
    ("extra", "spoken_days"),
    [({"犹豫期": "20天"}, "20天的犹豫期"), ({"犹豫期": "10"}, "10天的犹豫期"), ({}, "15天的犹豫期")],
)
def test_the_cooling_off_days_come_from_the_list_or_the_task_type(
    extra: dict[str, str], spoken_days: str
) -> None:
    values = script_values(Settings(), TYPES["new_policy"], extra)

    assert spoken_days in _all_yes("new_policy", _ctx(**values))


def test_with_no_days_known_the_question_still_reads_well() -> None:
    values = script_values(Settings(), TYPES["claim"], {"犹豫期": "见合同"})

    assert "您的保单有犹豫期，从您签收" in _all_yes("new_policy", _ctx(**values))


def test_the_company_is_per_task_type(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "config" / "task_types.toml").read_text(encoding="utf-8")
    (tmp_path / "task_types.toml").write_text(
        text.replace("[discharge]\n", '[discharge]\ncompany = "仁和医院"\n'), encoding="utf-8"
    )
    types = load_task_types(tmp_path)
    settings = Settings(company_name="安信保险")

    assert script_values(settings, types["discharge"], {})["company"] == "仁和医院"
    assert script_values(settings, types["new_policy"], {})["company"] == "安信保险"


@pytest.mark.parametrize(
    ("script_id", "split"),
    [
        ("new_policy", ["purchased_personally", "signed_personally"]),
        ("new_policy", ["contract_received", "read_description", "read_risk_notice"]),
        ("new_policy", ["coverage_understood", "exclusions_understood", "term_understood"]),
        ("new_policy", ["payment_years", "payment_frequency"]),
        ("new_policy", ["no_kickback", "no_extra_promise"]),
        ("new_account", ["password_set_personally", "password_kept_privately"]),
        ("new_account", ["no_proxy_trading", "no_return_promise"]),
        ("repair", ["extra_charges", "no_kickback"]),
    ],
)
def test_a_question_that_asked_several_things_is_asked_one_by_one(script_id: str, split: list[str]) -> None:
    script = SCRIPTS[script_id]
    questions = [script.question(qid) for qid in split]

    assert all(q.required for q in questions)
    assert all("或者" not in q.text and "以及" not in q.text and "并" not in q.text for q in questions)


@pytest.mark.parametrize("column", ["insured_name", "被保险人"])
def test_the_insured_named_by_the_list_is_filled_in(column: str) -> None:
    assert script_values(Settings(), TYPES["new_policy"], {column: "李娜"})["insured_name"] == "李娜"
