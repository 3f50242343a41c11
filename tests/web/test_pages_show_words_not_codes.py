"""Pages show people words, not codes; the code stays in a title attribute for support staff."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from dialer.model import Attempt, Database, Escalation
from dialer.web.words import reason_text, says, word
from tests.web.seed import Seeded, get, sign_in


def _visible(html: str) -> str:
    """Return the page's text without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_board_names_the_task_type_reason_and_status(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "agent")
    html = get(client, "/board").get_data(as_text=True)
    text = _visible(html)
    assert "新契约回访" in text and "关键问题答“否”" in text and "等待接听" in text
    for code in ("new_policy", "critical_no", "waiting"):
        assert code not in text
    assert 'title="critical_no"' in html and 'title="new_policy"' in html


def test_the_call_page_names_outcome_answers_escalations_and_events(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    with database.session() as s, s.begin():
        s.get_one(Escalation, seeded.escalation).status = "timeout"
    sign_in(client, "compliance")
    html = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    text = _visible(html)
    for words in ("问题件", "新契约回访", "关键问题答“否”", "无人接听·已安排回拨", "状态回调", "语音流程"):
        assert words in text, words
    assert 'title="timeout"' in html and 'title="problem"' in html
    assert "critical_no" not in text and "timeout" not in text


def test_the_case_queue_and_search_name_task_types(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    sign_in(client, "admin")
    assert "新契约回访" in _visible(get(client, "/cases").get_data(as_text=True))
    with database.session() as s, s.begin():
        s.get_one(Attempt, seeded.attempt).outcome = "busy"
    found = _visible(get(client, "/calls?go=1").get_data(as_text=True))
    assert "忙线" in found and "新契约回访" in found


def test_every_vocabulary_has_the_agreed_words(app: Flask) -> None:
    agreed = {
        ("agent", "reason"): "客户要求转人工", ("critical", "reason"): "关键问题答“否”",
        ("unclear", "reason"): "连续两次未听清", ("elderly", "reason"): "高龄客户",
        ("agent_requested", "escalation"): "已认领·正在呼叫坐席", ("bridged", "escalation"): "通话中",
        ("agent_failed", "escalation"): "坐席未接通", ("wrong_person", "outcome"): "非本人",
        ("error", "outcome"): "线路错误", ("no_answer", "answer"): "无回答", ("dial", "event"): "拨号",
        ("new_policy", "task_type"): "新契约回访",
    }  # fmt: skip
    with app.app_context():
        for (code, vocabulary), expected in agreed.items():
            assert word(code, vocabulary) == expected
        assert word("something_new", "outcome") == "something_new"  # unknown codes still show
        assert str(says("<b>", "outcome")) == '<span title="&lt;b&gt;">&lt;b&gt;</span>'
        assert str(says(None, "outcome")) == "—"


def test_a_callback_filed_for_a_missed_escalation_names_the_reason(app: Flask) -> None:
    with app.app_context():
        assert reason_text("转人工未接通（agent）") == "转人工未接通（客户要求转人工）"
        assert reason_text("问题件二次回访") == "问题件二次回访"
