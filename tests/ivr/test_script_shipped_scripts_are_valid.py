"""Every shipped script loads, covers what its business must ask, and speaks in the seeds' courtesy."""

from __future__ import annotations

import pytest

from dialer.ivr.script import check_scripts
from dialer.settings import PROJECT_ROOT
from dialer.tasktypes import load_task_types

from .helpers import SCRIPTS_DIR, shipped

SCRIPTS = shipped()
EXPECTED = {
    "new_policy", "claim", "complaint", "repair", "discharge", "property_service", "new_account", "new_employee",
    "general_service", "property_new_policy", "claim_survey", "new_policy_dividend", "new_policy_universal",
    "new_policy_unit_linked", "outpatient", "chronic_disease", "employee_family", "sales_lead",
}  # fmt: skip


def test_the_folder_holds_every_script_and_no_problem() -> None:
    found, problems = check_scripts(SCRIPTS_DIR)
    assert problems == []
    assert set(found) == EXPECTED


def test_every_task_type_has_its_script() -> None:
    types = load_task_types(PROJECT_ROOT / "config")
    assert {t.script for t in types.values()} <= set(SCRIPTS)


@pytest.mark.parametrize("script_id", sorted(EXPECTED))
def test_each_script_is_courteous_and_records_openly(script_id: str) -> None:
    s = SCRIPTS[script_id]
    assert s.prompt("greeting").startswith("您好")
    assert "为保障您的权益，本次通话将全程录音" in s.prompt("recording_notice")
    assert "打扰了" in s.prompt("introduction")
    assert s.prompt("closing").endswith("再见！") and "感谢您的配合" in s.prompt("closing")
    assert s.identity.text == "请问是{customer_name}{honorific}本人吗？"
    assert "请稍候" in s.prompt("escalation") and "非常抱歉" in s.prompt("agent_unavailable")
    assert "1" in s.prompt("keys_hint") and "0" in s.prompt("keys_hint")


def test_the_new_policy_script_asks_the_regulators_items_and_the_kickback_question() -> None:
    s = SCRIPTS["new_policy"]
    text = "".join(q.text for q in s.questions)
    for item in (
        "亲笔签名",
        "产品说明书",
        "风险提示书",
        "责任免除",
        "保险期间",
        "现金价值",
        "犹豫期",
        "交费",
    ):
        assert item in text, item
    for qid, words in (("no_kickback", "索要过好处"), ("no_extra_promise", "额外收益")):
        q = s.question(qid)
        assert q.bad_answer == "yes" and q.escalate_on_bad and words in q.text


@pytest.mark.parametrize(
    ("script_id", "question_id", "words"),
    [
        ("claim", "misconduct", "吃、拿、卡、要"),
        ("new_account", "no_proxy_trading", "操作"),
        ("new_account", "no_return_promise", "承诺"),
        ("discharge", "red_envelope", "红包"),
        ("repair", "extra_charges", "费用"),
        ("repair", "no_kickback", "好处"),
    ],
)
def test_misconduct_questions_are_bad_on_yes_and_escalate(
    script_id: str, question_id: str, words: str
) -> None:
    q = SCRIPTS[script_id].question(question_id)
    assert words in q.text and q.bad_answer == "yes" and q.escalate_on_bad


def test_the_claim_script_asks_the_seeds_five_items() -> None:
    text = "".join(q.text for q in SCRIPTS["claim"].questions)
    for item in ("服务态度", "查勘定损", "按时、足额", "吃、拿、卡、要", "满意"):
        assert item in text
