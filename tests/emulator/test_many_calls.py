"""A hundred simulated calls at once, each with its own answer and recording."""

from __future__ import annotations

from pathlib import Path

import pytest
from twilio.rest import Client

from dialer.emulator import run_emulator
from dialer.settings import Settings
from tests.emulator.conftest import wait_for
from tests.emulator.ivr import FakeIvr, twiml

PERSONA = '[[persona]]\npattern = "+86138*"\nname = "yes"\nreplies = [{say = "是"}]\n'


@pytest.mark.slow
def test_a_hundred_calls_run_at_once(settings: Settings, ivr: FakeIvr, tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(PERSONA, encoding="utf-8")
    ivr.route("/voice")(
        lambda f: twiml(
            '<Pause length="50"/><Say language="zh-CN">您好</Say><Record action="/rec" timeout="2"/>'
        )
    )
    ivr.route("/rec")(lambda f: twiml('<Say language="zh-CN">谢谢</Say><Hangup/>'))
    with run_emulator(
        settings, personas=tmp_path / "p.toml", speed=10, data_dir=tmp_path / "e", cps=1000
    ) as emu:
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        client.api.base_url = emu.url
        sids = [
            client.calls.create(
                to=f"+86138{i:08d}", from_="+862161234567", url=f"{ivr.url}/voice", record=True
            ).sid
            for i in range(100)
        ]
        wait_for(lambda: emu.engine.active() >= 95, timeout=10)  # they really overlap
        wait_for(lambda: all(emu.engine.store.call(s).ended for s in sids), timeout=120)  # type: ignore[union-attr]
        assert {emu.engine.store.call(s).status for s in sids} == {"completed"}  # type: ignore[union-attr]
        assert len(ivr.for_path("/rec")) == 100
        assert len(emu.engine.store.recordings()) == 200
