"""Helpers for the Media Streams tests: personas, an emulator at a gentle speed, decoding what arrived."""

from __future__ import annotations

import base64
import warnings
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialer.emulator import Emulator, run_emulator
from dialer.settings import Settings
from tests.emulator.conftest import TTS_CACHE
from tests.emulator.streams.wsserver import Seen, StreamServer, stream_server

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

STREAM_SPEED = 8.0  # frames go out 400 a second: fast enough for tests, gentle on a busy machine
FROM = "+862161234567"
PERSONAS = """
[[persona]]
match = "+8613800000201"
name = "thinks-then-answers"
answer_after = 0.5
replies = [{say = "네", voice = "ko", silence = 1.5}]

[[persona]]
match = "+8613800000202"
name = "talks-over-the-question"
answer_after = 0.5
replies = [{say = "네", voice = "ko", barge_in = 0.5}]

[[persona]]
match = "+8613800000203"
name = "answers-slowly"
answer_after = 0.5
replies = [{say = "음", voice = "ko", then = ["네"], gap = 1.5}]

[[persona]]
match = "+8613800000204"
name = "presses-one"
answer_after = 0.5
replies = [{keys = "1", silence = 0.5}]

[[persona]]
match = "+8613800000205"
name = "says-nothing"
answer_after = 0.5
"""


@pytest.fixture
def personas_file(tmp_path: Path) -> Path:
    path = tmp_path / "stream-personas.toml"
    path.write_text(PERSONAS, encoding="utf-8")
    return path


def slow_emulator(
    settings: Settings, personas_file: Path, tmp_path: Path, **options: Any
) -> Iterator[Emulator]:
    with run_emulator(
        settings, personas=personas_file, speed=STREAM_SPEED, data_dir=tmp_path / "emu", cps=200, **options
    ) as e:
        e.engine.tts.cache_dir = TTS_CACHE
        yield e


@pytest.fixture
def emu(settings: Settings, personas_file: Path, tmp_path: Path) -> Iterator[Emulator]:
    yield from slow_emulator(settings, personas_file, tmp_path)


@pytest.fixture
def ws() -> Iterator[StreamServer]:
    with stream_server() as server:
        yield server


def inbound_pcm(seen: Seen) -> bytes:
    """Return the inbound track as 16-bit pcm, frame after frame as it arrived."""
    frames = [m["media"] for m in seen.of("media") if m["media"]["track"] == "inbound"]
    return b"".join(audioop.ulaw2lin(base64.b64decode(f["payload"]), 2) for f in frames)


def loud_frames(pcm: bytes, threshold: int = 120) -> list[int]:
    """Return the indexes of the 20 ms frames that hold sound."""
    step = 320
    return [
        i // step
        for i in range(0, len(pcm) - step + 1, step)
        if audioop.rms(pcm[i : i + step], 2) >= threshold
    ]


def call_recording(emu: Emulator, call_sid: str) -> tuple[bytes, bytes]:
    """Return (service channel 0, customer channel 1) of the call's two-channel recording."""
    rec = next(
        r for r in emu.engine.store.recordings() if r.call_sid == call_sid and r.source == "OutboundAPI"
    )
    with wave.open(str(rec.path), "rb") as w:
        assert w.getnchannels() == 2
        data = w.readframes(w.getnframes())
    return audioop.tomono(data, 2, 1, 0), audioop.tomono(data, 2, 0, 1)


def event_t(report: dict[str, Any], name: str) -> float:
    return float(next(e["t"] for e in report["events"] if e["event"] == name))


def verb_t(report: dict[str, Any], verb: str) -> float:
    """Return the audio time (seconds since answer) at which the first `verb` began."""
    at = next(e["t"] for e in report["events"] if e["event"] == "verb" and e["verb"] == verb)
    return float(at) - event_t(report, "answered")
