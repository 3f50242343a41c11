"""Where people read, plain Chinese: audit details as sentences, the timeline's key presses and gateway
statuses in words, a call's end from its talk time, scripts and people by their names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from dialer.clock import RunningClock
from dialer.gateway.signature import compute_signature
from dialer.model import Answer, Attempt, AttemptEvent, Database
from dialer.services import services
from tests.web.seed import NOW, Seeded, get, post, sign_in


def test_audit_details_read_as_chinese_sentences(client: FlaskClient, seeded: Seeded) -> None:
    client.post("/login", data={"username": "li_agent", "password": "wrong", "csrf_token": _token(client)})
    sign_in(client, "agent")
    post(client, f"/cases/{seeded.case}/close", {"resolution": "已处理", "cause": "其他"}, page="/cases")
    client.post("/logout", data={"csrf_token": _token(client, "/cases")})
    sign_in(client, "compliance")
    get(client, f"/calls/{seeded.attempt}/evidence.zip")
    html = get(client, "/audit").get_data(as_text=True)
    assert "原因：用户名或密码错误" in html and '{"why"' not in html
    assert "问题原因：其他" in html and f"问题件 #{seeded.case}" in html
    assert "角色：回访专员" in html and "李专员" in html and "王质检" in html
    assert "文件：" in html and "SHA-256：" in html
    csv = get(client, "/audit.csv").get_data(as_text=True)
    assert "读法" in csv and "登录失败 用户 #li_agent：原因：用户名或密码错误" in csv


def test_the_timeline_names_key_presses_and_gateway_statuses(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    with database.session() as s, s.begin():
        s.add(AttemptEvent(attempt_id=seeded.attempt, kind="answer", name="turn 2", at=NOW,
                           data={"label": "yes", "matched": "key 1", "transcript": ""}))  # fmt: skip
        s.add(AttemptEvent(attempt_id=seeded.attempt, kind="dial", name="agent_rung", at=NOW,
                           data={"status": "queued"}))  # fmt: skip
        s.add(Answer(attempt_id=seeded.attempt, question_id="q1", question_text="请问您是张三先生本人吗？",
                     keys="1", label="yes", matched="key 1"))  # fmt: skip
    sign_in(client, "compliance")
    html = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert "key 1" not in html and "按键 1" in html
    assert "网关状态</span> 排队中" in html and "queued</" not in html
    assert "新契约回访话术" in html or "新契约" in html  # the script by its name, never its id alone
    assert ">new_policy<" not in html


def test_a_calls_end_is_its_answer_plus_the_gateways_talk_time(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    with database.session() as s, s.begin():
        a = s.get_one(Attempt, seeded.attempt)
        a.status, a.outcome, a.answered_at, a.ended_at, a.call_sid = (
            "queued",
            None,
            None,
            None,
            "CA" + "1" * 32,
        )
    cfg, client = services(app).settings, app.test_client()
    for n, (status, extra) in enumerate([("in-progress", {}), ("completed", {"CallDuration": "168"})]):
        form = {"CallSid": "CA" + "1" * 32, "AccountSid": cfg.twilio_account_sid, "CallStatus": status,
                "SequenceNumber": str(n + 10), **extra}  # fmt: skip
        url = f"{cfg.public_url}/ivr/status?a={seeded.attempt}"
        sig = compute_signature(url, form, cfg.twilio_auth_token)
        resp = client.post(f"/ivr/status?a={seeded.attempt}", data=form, headers={"X-Twilio-Signature": sig})
        assert resp.status_code == 200
    with database.session() as s:
        a = s.get_one(Attempt, seeded.attempt)
        assert a.answered_at is not None and a.ended_at is not None
        assert (a.ended_at - a.answered_at) == timedelta(seconds=168)


def test_a_running_clock_runs_from_where_it_was_set() -> None:
    ticks = iter([0.0, 2.0, 2.0, 5.0])
    clock = RunningClock(datetime(2026, 3, 10, 2, 0, tzinfo=UTC), rate=15, ticks=lambda: next(ticks))
    assert clock.now() == datetime(2026, 3, 10, 2, 0, 30, tzinfo=UTC)  # 2 s at 15x
    clock.set(datetime(2026, 3, 10, 7, 0, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 10, 7, 0, 45, tzinfo=UTC)  # 3 s since set, at 15x


def _token(client: FlaskClient, url: str = "/login") -> str:
    from tests.web.seed import csrf_token

    return csrf_token(client, url)
