"""`dialer emulator` serves in the foreground and stops on SIGTERM; `dialer emulator calls` inspects it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner
from twilio.rest import Client

from dialer.cli import main
from dialer.emulator import Emulator
from tests.emulator.conftest import ended

DIALER = Path(sys.executable).parent / "dialer"


def test_calls_lists_each_call_with_its_events(client: Client, emu: Emulator) -> None:
    call = client.calls.create(
        to="+8613800000103", from_="+862161234567", twiml="<Response><Say>x</Say></Response>"
    )
    ended(client, call.sid)
    result = CliRunner().invoke(main, ["emulator", "calls", "--url", emu.url])
    assert result.exit_code == 0, result.output
    assert call.sid in result.output and "busy" in result.output and "ringing" in result.output
    raw = CliRunner().invoke(main, ["emulator", "calls", "--url", emu.url, "--json"])
    assert json.loads(raw.output)[0]["sid"] == call.sid


def test_calls_names_an_unreachable_emulator() -> None:
    result = CliRunner().invoke(main, ["emulator", "calls", "--url", "http://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "is `dialer emulator` running?" in result.output + str(result.exception)


def test_the_server_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALER_", "TWILIO_"))}
    env["DIALER_VAR_DIR"] = str(tmp_path)
    with subprocess.Popen(
        [str(DIALER), "emulator", "--port", "0", "--speed", "10"], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split("已在 ")[1].split()[0]
            assert requests.get(f"{url}/_emulator/health", timeout=5).json()["ok"] is True
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
