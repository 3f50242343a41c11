"""Fixtures: settings → a real emulator on 127.0.0.1 → the official SDK pointed at it → a test IVR."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from twilio.rest import Client

from dialer.emulator import Emulator, run_emulator
from dialer.settings import Settings
from tests.emulator.ivr import FakeIvr, serve_ivr

SPEED = 25.0
TTS_CACHE = Path(__file__).resolve().parents[2] / "var" / "test-emulator-tts"

PERSONAS = """
[[persona]]
match = "+8613800000101"
name = "answers-then-zero"
answer_after = 1.0
replies = [{say = "네", voice = "ko"}, {keys = "0"}]

[[persona]]
match = "+8613800000102"
name = "silent-one"
answer_after = 1.0

[[persona]]
match = "+8613800000103"
name = "busy"
outcome = "busy"

[[persona]]
match = "+8613800000104"
name = "hangs-up-in-record"
replies = [{say = "是", hangup = true}]

[[persona]]
match = "+8613800000105"
name = "never-answers"
outcome = "no-answer"

[[persona]]
match = "+8613800000106"
name = "voicemail"
outcome = "voicemail"
answer_after = 1.0
hangup_after = 8

[[persona]]
match = "+8613800000107"
name = "hangs-up-after-5s"
hangup_after = 5

[[persona]]
match = "+862161230001"
name = "agent"
agent = true
answer_after = 1.0
talk_for = 4
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", recordings_dir=tmp_path / "recordings")


@pytest.fixture
def personas_file(tmp_path: Path) -> Path:
    path = tmp_path / "personas.toml"
    path.write_text(PERSONAS, encoding="utf-8")
    return path


@pytest.fixture
def emu(settings: Settings, personas_file: Path, tmp_path: Path) -> Iterator[Emulator]:
    with run_emulator(settings, personas=personas_file, speed=SPEED, data_dir=tmp_path / "emu", cps=200) as e:
        e.engine.tts.cache_dir = TTS_CACHE  # share rendered speech between tests; it never changes
        yield e


@pytest.fixture
def client(settings: Settings, emu: Emulator) -> Client:
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        os.environ.pop(name, None)
    c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    c.api.base_url = emu.url
    return c


@pytest.fixture
def ivr(settings: Settings) -> Iterator[FakeIvr]:
    with serve_ivr(settings.twilio_auth_token) as server:
        yield server


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until `check()` is truthy; fail with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def ended(client: Client, sid: str, timeout: float = 30.0) -> Any:
    """Wait until a call reaches a final status and return it."""
    terminal = {"completed", "busy", "failed", "no-answer", "canceled"}
    return wait_for(lambda: (c := client.calls(sid).fetch()).status in terminal and c, timeout)
