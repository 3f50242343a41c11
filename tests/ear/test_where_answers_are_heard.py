"""Where answers are heard: on a stream where the profile has `<Start>` and an ear is configured, else `<Record>`."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from dialer.errors import SettingsError
from dialer.ivr.flow import Listen, Prompt, Step
from dialer.ivr.twiml import Streaming, Urls, render
from dialer.profiles import PROFILES
from dialer.settings import Settings

EAR = "wss://ear.example.com/stream"
URLS = Urls(
    answer="https://h/ivr/answer?a=7", queue_wait="https://h/ivr/wait", audio_base="https://h/ivr/audio"
)
ASK = Step(
    say=(Prompt("请问是张伟本人吗？"),),
    listen=Listen("identity", "identity", False, 1, fallback="您还在听吗？"),
)


def settings_for(profile: str, **changes: str) -> Settings:
    extra: dict[str, str] = {}
    if profile != "twilio":
        extra = {"gateway_url": "https://gw.example.com", "twilio_account_sid": str(uuid.uuid4())}
    if profile == "signalwire":
        extra["gateway_signing_key"] = "key"
    return Settings(gateway_profile=profile, **{**extra, **changes})


@pytest.mark.parametrize(
    ("profile", "listen", "ear_url", "streams"),
    [
        ("twilio", "auto", EAR, True),
        ("signalwire", "auto", EAR, True),
        ("twilio", "auto", "", False),  # no ear configured: <Record>
        ("twilio", "record", EAR, False),
        ("somleng", "auto", EAR, False),  # Somleng has only <Connect><Stream>: falls back to <Record>
        ("somleng", "stream", EAR, False),
    ],
)
def test_the_listening_path_follows_the_profile_and_the_settings(
    profile: str, listen: str, ear_url: str, streams: bool
) -> None:
    assert settings_for(profile, listen=listen, ear_url=ear_url).hears_streams is streams


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"listen": "live"}, "DIALER_LISTEN"),
        ({"ear_url": "http://ear.example.com/stream"}, "DIALER_EAR_URL"),
        ({"listen": "stream"}, "DIALER_EAR_URL"),
        ({"ear_end_silence_ms": 50}, "DIALER_EAR_END_SILENCE_MS"),  # type: ignore[dict-item]
    ],
)
def test_bad_listening_settings_are_refused_in_chinese(changes: dict[str, object], says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(**changes)  # type: ignore[arg-type]
    assert says in str(refused.value) and any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_question_renders_record_without_streaming_and_a_stream_with_it(profile: str) -> None:
    plain = [el.tag for el in ET.fromstring(render(ASK, URLS, "Polly.Zhiyu", profile=PROFILES[profile]))]
    assert "Record" in plain and "Start" not in plain
    streaming = Streaming(EAR, 7, "secret", previous="a7-s0")
    root = ET.fromstring(render(ASK, URLS, "Polly.Zhiyu", profile=PROFILES[profile], streaming=streaming))
    assert [el.tag for el in root][:2] == ["Stop", "Start"] and root.find("Record") is None
    stream = root.find("./Start/Stream")
    assert stream is not None and stream.get("track") == "both_tracks" and stream.get("name") == "a7-s1"


def test_keys_only_questions_and_opinions_are_not_streamed() -> None:
    streaming = Streaming(EAR, 7, "secret")
    keys = Step(say=ASK.say, listen=Listen("q1", "yes_no", True, 2, fallback="？"))
    assert ET.fromstring(render(keys, URLS, "v", streaming=streaming)).find("Gather") is not None
    opinion = Step(say=ASK.say, listen=Listen("q9", "open", False, 3, fallback="？"))
    root = ET.fromstring(render(opinion, URLS, "v", streaming=streaming))
    assert root.find("Record") is not None and root.find("Start") is None
