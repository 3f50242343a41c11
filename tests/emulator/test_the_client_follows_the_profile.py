"""The service's gateway client asks each provider only for what its profile has, at that provider's paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.emulator import run_emulator
from dialer.gateway.client import CallRequest, Gateway
from dialer.settings import Settings
from tests.emulator.conftest import SPEED, TTS_CACHE, ended

SILENT = "+8613800000102"
KEY = "PSK-test-signing-key"


def _request(base: str) -> CallRequest:
    return CallRequest(
        to=SILENT, voice_url=f"{base}/voice", status_callback=f"{base}/status",
        recording_status_callback=f"{base}/recording", timeout=25,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "recorded", "events"),
    [("twilio", True, 4), ("signalwire", True, 4), ("somleng", False, 1)],
)
def test_a_call_is_placed_with_what_the_profile_has(
    settings: Settings, personas_file: Path, tmp_path: Path, profile: str, recorded: bool, events: int
) -> None:
    chosen = settings.replace(gateway_profile=profile, gateway_signing_key=KEY)
    with run_emulator(chosen, personas=personas_file, speed=SPEED, data_dir=tmp_path / "emu", cps=200) as emu:
        emu.engine.tts.cache_dir = TTS_CACHE
        gateway = Gateway(chosen.replace(gateway_url=emu.url), retries=0)
        params = gateway.create_params(_request("http://127.0.0.1:9"))
        assert ("record" in params, len(params.get("status_callback_event", ["completed"]))) == (
            recorded,
            events,
        )
        assert ("timeout" in params) == recorded  # Somleng's Calls API reads no Timeout either
        info = gateway.place_call(_request("http://127.0.0.1:9"))  # nobody answers the webhooks: no matter
        assert len(info.sid) == (36 if profile != "twilio" else 34)
        ended(gateway.client, info.sid)
        assert gateway.fetch_call(info.sid).sid == info.sid
        options = emu.engine.store.call(info.sid).options  # type: ignore[union-attr]
        assert options.record is recorded and len(options.status_events) == events
