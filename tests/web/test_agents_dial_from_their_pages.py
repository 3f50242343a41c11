"""An agent presses 拨打 on a callback, a problem case or a task: the page writes a request, never a call.

The request is refused in plain words outside the calling windows, on a holiday, without a phone on the
account, for another agent's work, and while another call to the task is on.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.gateway.client import Gateway
from dialer.model import Attempt, AuditEntry, Callback, Database, Task, TaskStatus, User, migrate
from dialer.model.dials import AgentDial
from dialer.model.states import CallStatus
from dialer.services import services
from dialer.settings import PROJECT_ROOT, Settings
from dialer.worker.dials import place_agent_dials
from tests.web.handover import Handover, copy_scripts, seed_handover
from tests.web.seed import NOW, Seeded, csrf_token, get, seed, sign_in


@pytest.fixture
def handover(app: Flask, database: Database, seeded: Seeded) -> Handover:
    copy_scripts(services(app).settings.scripts_dir)
    return seed_handover(database, seeded.users["agent"])


def _press(client: FlaskClient, url: str, page: str = "/callbacks") -> str:
    """Press a 拨打 button as the page renders it; return the page the browser lands on."""
    token = csrf_token(client, page)
    resp = client.post(url, data={"csrf_token": token, "next": page}, follow_redirects=True)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _dials(database: Database) -> list[AgentDial]:
    with database.session() as s:
        rows = list(s.scalars(select(AgentDial).order_by(AgentDial.id)))
        s.expunge_all()
    return rows


def test_pressing_dial_writes_a_request_and_an_attempt_placed_by_the_agent(
    client: FlaskClient, database: Database, handover: Handover, seeded: Seeded
) -> None:
    sign_in(client, "agent")
    page = get(client, "/callbacks").get_data(as_text=True)
    assert f'action="/dial/callback/{handover.callback}"' in page and ">拨打<" in page
    page = get(client, f"/callbacks/{handover.callback}").get_data(as_text=True)
    assert f'action="/dial/callback/{handover.callback}"' in page  # and on the callback's own page
    page = get(client, f"/cases/{seeded.case}").get_data(as_text=True)
    assert f'action="/dial/case/{seeded.case}"' in page  # and on a problem case
    page = _press(client, f"/dial/callback/{handover.callback}")
    [dial] = _dials(database)
    assert "已开始拨打" in page and "通话进度" in page and "已请求·等待系统呼叫您" in page
    assert 'name="answer-contract_received"' in page  # the answer form sits beside the call
    assert "+8613955550001" not in page and "139****0001" in page  # the phone stays masked
    assert dial.status == "requested" and dial.agent_phone == "+8613900001111"
    with database.session() as s:
        attempt = s.get_one(Attempt, dial.attempt_id)
        task = s.get_one(Task, handover.task)
        callback = s.get_one(Callback, handover.callback)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "agent_dial")).one()
        assert attempt.placed_by_id == seeded.users["agent"] and attempt.status == CallStatus.CLAIMED
        assert attempt.number == 2 and attempt.script_version == 1 and attempt.script_sha256
        assert attempt.call_sid is None  # nothing was dialled by the page
        assert task.status == TaskStatus.DIALLING and task.attempt_count == 2  # the robot leaves it be
        assert callback.assignee_id == seeded.users["agent"]
    assert entry.actor == "li_agent" and entry.target == f"task:{handover.task}"
    assert entry.detail == {"dial": dial.id, "attempt": dial.attempt_id, "callback": handover.callback}
    audit_page = _audit_page(client.application)
    assert "坐席拨打" in audit_page and f"拨打编号：{dial.id}" in audit_page


def _audit_page(app: Flask) -> str:
    officer = app.test_client()
    sign_in(officer, "compliance")
    return get(officer, "/audit").get_data(as_text=True)


def test_a_second_press_while_the_call_is_on_opens_it_or_is_refused(
    app: Flask, client: FlaskClient, database: Database, handover: Handover, seeded: Seeded
) -> None:
    sign_in(client, "agent")
    _press(client, f"/dial/callback/{handover.callback}")
    page = _press(client, f"/dial/callback/{handover.callback}")  # the same agent: back to the call's page
    assert "这位客户的拨打正在进行，已为您打开通话页面" in page and "通话进度" in page
    with database.session() as s, s.begin():  # another agent, on another item of the same task
        other = User(
            username="zhou_agent", role="agent", password_hash=_hash_of(database), phone="+8613900003333"
        )
        s.add(other)
    zhou = app.test_client()
    token = csrf_token(zhou)
    zhou.post("/login", data={"username": "zhou_agent", "password": "correct-horse-1", "csrf_token": token})
    page = _press(zhou, f"/dial/task/{handover.task}", page=f"/tasks/{handover.task}")
    assert "该事项由李专员负责，只有负责人或主管可以拨打" in page  # the callback is 李专员's since the press
    with database.session() as s, s.begin():
        s.execute(update(Callback).where(Callback.id == handover.callback).values(assignee_id=None))
    page = _press(zhou, f"/dial/task/{handover.task}", page=f"/tasks/{handover.task}")
    assert "该任务已有一通坐席拨打正在进行" in page
    assert len(_dials(database)) == 1


@pytest.mark.parametrize(
    ("local", "words"),
    [
        # 12:30 on a Tuesday: between the morning and the afternoon window.
        (
            "2026-03-10T12:30:00+08:00",
            ["现在不在可拨打时段（10:00-12:00、15:00-17:00）", "下一个可拨打时段：2026年03月10日 15:00 开始"],
        ),
        # 22:00: the nuisance-call hours, whatever the windows say.
        ("2026-03-10T22:00:00+08:00", ["禁止外呼时段", "下一个可拨打时段：2026年03月11日 10:00 开始"]),
        # National Day, a Thursday: a holiday, inside the window's hours; the next working day is 8 October.
        ("2026-10-01T10:30:00+08:00", ["今天是节假日", "下一个可拨打时段：2026年10月08日 10:00 开始"]),
    ],
)
def test_it_refuses_outside_the_windows_and_on_holidays_saying_when_it_opens(
    client: FlaskClient,
    clock: FixedClock,
    database: Database,
    handover: Handover,
    local: str,
    words: list[str],
) -> None:
    clock.set(datetime.fromisoformat(local).astimezone(UTC))
    sign_in(client, "agent")
    page = _press(client, f"/dial/callback/{handover.callback}")
    for w in words:
        assert w in page, w
    assert _dials(database) == []
    with database.session() as s:
        assert s.scalars(select(Attempt).where(Attempt.task_id == handover.task)).all()[-1].number == 1


def test_it_refuses_an_agent_without_a_phone_and_says_how_to_get_one(
    client: FlaskClient, database: Database, handover: Handover
) -> None:
    with database.session() as s, s.begin():
        s.execute(update(User).where(User.username == "li_agent").values(phone=None))
    sign_in(client, "agent")
    page = _press(client, f"/dial/callback/{handover.callback}")
    assert "您的账户没有登记接听电话" in page and "请联系系统管理员为您的账户登记电话号码" in page
    assert _dials(database) == []


def test_only_the_assignee_or_a_supervisor_may_dial(
    app: Flask, client: FlaskClient, database: Database, handover: Handover, seeded: Seeded
) -> None:
    with database.session() as s, s.begin():
        other = User(username="zhou_agent", role="agent", password_hash="x", display_name="周专员",
                     phone="+8613900003333")  # fmt: skip
        s.add(other)
        s.flush()
        s.execute(update(Callback).where(Callback.id == handover.callback).values(assignee_id=other.id))
        s.execute(update(User).where(User.username == "zhao_sup").values(phone="+8613900004444"))
    sign_in(client, "agent")
    page = get(client, "/callbacks").get_data(as_text=True)
    assert f'action="/dial/callback/{handover.callback}"' not in page  # no button on another's callback
    page = _press(client, f"/dial/callback/{handover.callback}")
    assert "该事项由周专员负责，只有负责人或主管可以拨打" in page and _dials(database) == []
    page = _press(client, f"/dial/case/{seeded.case}", page=f"/cases/{seeded.case}")
    assert "已开始拨打" in page  # an unassigned case: the agent who calls takes it
    supervisor = app.test_client()
    sign_in(supervisor, "supervisor")
    page = _press(supervisor, f"/dial/callback/{handover.callback}")
    assert "已开始拨打" in page
    dials = _dials(database)
    assert [(d.agent_id, d.case_id, d.callback_id) for d in dials] == [
        (seeded.users["agent"], seeded.case, None), (seeded.users["supervisor"], None, handover.callback)
    ]  # fmt: skip


def test_the_call_page_is_the_callers_or_a_supervisors(
    app: Flask, client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    _press(client, f"/dial/callback/{handover.callback}")
    [dial] = _dials(database)
    assert get(client, f"/dials/{dial.id}/progress").status_code == 200
    for persona, status in (("supervisor", 200), ("compliance", 404)):
        other = app.test_client()
        sign_in(other, persona)
        assert get(other, f"/dials/{dial.id}").status_code == status, persona
    with database.session() as s, s.begin():
        s.add(
            User(
                username="qian_agent", role="agent", password_hash=_hash_of(database), phone="+8613900005555"
            )
        )
    stranger = app.test_client()
    token = csrf_token(stranger)
    stranger.post(
        "/login", data={"username": "qian_agent", "password": "correct-horse-1", "csrf_token": token}
    )
    assert get(stranger, f"/dials/{dial.id}").status_code == 404


def _hash_of(database: Database) -> str:
    with database.session() as s:
        return s.scalars(select(User.password_hash).where(User.username == "li_agent")).one()


def test_a_task_can_be_dialled_by_its_id_and_the_macro_renders_the_button(
    app: Flask, client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    with app.test_request_context("/tasks/1"):
        html = app.jinja_env.from_string(
            '{% from "_dial.html" import dial_button with context %}{{ dial_button("task", 7) }}'
        ).render()
    assert 'action="/dial/task/7"' in html and 'name="csrf_token"' in html and ">拨打<" in html
    page = _press(client, f"/dial/task/{handover.task}", page=f"/tasks/{handover.task}")
    assert "已开始拨打" in page
    [dial] = _dials(database)
    assert dial.task_id == handover.task and dial.callback_id is None and dial.case_id is None
    assert re.search(r'id="dial-progress" data-live="1"', page)


def _worker_pass(app: Flask, at: datetime, **changes: object) -> int:
    """Run the scheduler's agent-call pass at `at` against a gateway nobody listens on (it must not be reached)."""
    svc = services(app)
    settings = svc.settings.replace(gateway_url="http://127.0.0.1:9", **changes)
    return place_agent_dials(settings, svc.db, Gateway(settings, retries=0), svc.dial_rules, at)


def test_the_worker_waits_while_the_concurrent_calls_are_all_taken(
    app: Flask, client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    _press(client, f"/dial/callback/{handover.callback}")
    with database.session() as s, s.begin():  # a robot call is live on another task
        other = s.get_one(Task, seed_handover(database, None, name="赵敏").task)
        s.add(
            Attempt(
                task_id=other.id, number=2, to_number="+8613955550001", script="new_policy", status="ringing"
            )
        )
    assert _worker_pass(app, NOW, max_concurrent_calls=1) == 0
    [dial] = _dials(database)
    assert dial.status == "requested"  # it waits for a free line; nothing was dialled


def test_a_window_that_closed_before_the_worker_came_dials_nobody(
    app: Flask, client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    _press(client, f"/dial/callback/{handover.callback}")
    assert _worker_pass(app, datetime.fromisoformat("2026-03-10T12:00:05+08:00")) == 0
    [dial] = _dials(database)
    assert dial.status == "agent_missed" and dial.error and "不在可拨打时段" in dial.error
    with database.session() as s:
        attempt = s.get_one(Attempt, dial.attempt_id)
        task = s.get_one(Task, handover.task)
        assert attempt.outcome == "error" and attempt.status == CallStatus.FAILED
        assert (
            task.status == TaskStatus.PENDING and task.attempt_count == 1
        )  # the call never left: no attempt
    page = get(client, f"/dials/{dial.id}").get_data(as_text=True)
    assert "已结束·您的电话未接通" in page and "不在可拨打时段" in page


def test_a_call_whose_callbacks_never_came_is_ended_and_blocks_no_new_call(
    app: Flask, client: FlaskClient, database: Database, handover: Handover
) -> None:
    sign_in(client, "agent")
    _press(client, f"/dial/callback/{handover.callback}")
    [dial] = _dials(database)
    with database.session() as s, s.begin():  # rung and answered, then every callback after it was lost
        s.execute(update(AgentDial).where(AgentDial.id == dial.id).values(status="bridging"))
        s.execute(update(Attempt).where(Attempt.id == dial.attempt_id).values(status="in-progress"))
    assert _worker_pass(app, NOW + timedelta(minutes=20)) == 0
    assert _dials(database)[0].status == "bridging"  # a call may still be on: left alone
    _worker_pass(app, NOW + timedelta(hours=1))
    [dial] = _dials(database)
    assert dial.status == "failed" and dial.error and "长时间没有更新" in dial.error
    with database.session() as s:
        assert s.get_one(Attempt, dial.attempt_id).status not in (
            "in-progress",
            "claimed",
        )  # the line is free
    page = _press(client, f"/dial/callback/{handover.callback}")
    assert "已开始拨打" in page and len(_dials(database)) == 2


def test_a_day_off_entered_on_the_console_is_obeyed_at_once(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    """The holiday calendar page writes holidays.console.toml; the next press reads it, no restart needed."""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    app = create_app(settings.replace(config_dir=config, scripts_dir=tmp_path / "ivr_scripts",
                                      secret_key="test-secret"), clock=clock)  # fmt: skip
    app.config["TESTING"] = True
    database = services(app).db
    migrate(database)
    seeded = seed(database, services(app).settings.recordings_dir)
    copy_scripts(services(app).settings.scripts_dir)
    h = seed_handover(database, seeded.users["agent"])
    client = app.test_client()
    sign_in(client, "agent")
    (config / "holidays.console.toml").write_text(
        '[[day]]\ndate = 2026-03-10\nworking = false\nnote = "公司年会"\n', encoding="utf-8"
    )
    page = _press(client, f"/dial/callback/{h.callback}")
    assert "今天是节假日（非工作日）" in page and "下一个可拨打时段：2026年03月11日 10:00 开始" in page
    assert _dials(database) == []
    database.dispose()
