"""The call page's timeline: TwiML folded away as escaped XML, answers as label, transcript, match and time."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from dialer.model import AttemptEvent, Database
from tests.web.seed import NOW, Seeded, get, sign_in

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="cmn-CN">您好！这里是A&amp;B保险'
    '<script>alert(1)</script></Say><Record action="http://x/ivr/answer?a=1&amp;turn=2" maxLength="10"/>'
    "</Response>"
)


def _call_page(client: FlaskClient, database: Database, seeded: Seeded) -> str:
    with database.session() as s, s.begin():
        at = NOW - timedelta(minutes=15)
        s.add(
            AttemptEvent(
                attempt_id=seeded.attempt, kind="twiml", name="document", data={"twiml": TWIML}, at=at
            )
        )
        s.add(AttemptEvent(attempt_id=seeded.attempt, kind="answer", name="turn 2", at=at,
                           data={"label": "no", "transcript": "不是的", "matched": "不是", "ms": 121}))  # fmt: skip
    sign_in(client, "compliance")
    return get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)


def test_a_twiml_document_is_folded_and_escaped(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    html = _call_page(client, database, seeded)
    folded = re.search(
        r'<details class="twiml"><summary>(.*?)</summary><pre>(.*?)</pre></details>', html, re.S
    )
    assert folded, "the TwiML is not in a <details> element"
    summary, body = folded.groups()
    assert summary == "【录音作答】您好！这里是A&amp;B保险"  # what it says, in words
    assert "&lt;Response&gt;" in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in html
    assert '{"twiml"' not in html  # no longer one huge JSON line


def test_an_answer_shows_label_transcript_match_and_time(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    html = _call_page(client, database, seeded)
    row = re.search(r'<tr class="ev-answer">(.*?)</tr>', html, re.S)
    assert row, "no answer row in the timeline"
    text = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    assert "第 2 轮" in text
    for fact in ("判定 否", "识别文本 不是的", "匹配词 不是", "识别用时 121 毫秒"):
        assert fact in text, fact


def test_a_status_callback_shows_its_status_in_words(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    html = _call_page(client, database, seeded)
    rows = re.findall(r'<tr class="ev-status">(.*?)</tr>', html, re.S)
    names = [re.findall(r'<span title="([^"]+)">([^<]+)</span>', r)[1] for r in rows]  # kind, then name
    assert ("ringing", "振铃中") in names and ("completed", "已结束") in names
