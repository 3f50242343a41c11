"""A two-channel call recording is heard on the customer's channel (DIALER_CUSTOMER_CHANNEL), not mixed.

Which side of a dual-channel recording holds the called party is the provider's choice (the emulator puts
the service on channel 0 and the customer on 1), so it is a setting. Here one channel says 네 (heard 是 or 对) and
the other 아니요: `dialer transcribe --free` must hear only the channel the setting names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.speech import SpeechModel, convert_audio, transcribe_free

RATE = 8000


def _stereo(left: Path, right: Path, out: Path) -> Path:
    """Write a 16-bit two-channel WAV with `left` on channel 0 and `right` on channel 1."""
    a, b = (convert_audio(p, RATE).pcm for p in (left, right))
    n = max(len(a), len(b))
    a, b = a.ljust(n, b"\0"), b.ljust(n, b"\0")
    frames = b"".join(a[i : i + 2] + b[i : i + 2] for i in range(0, n, 2))
    with wave.open(str(out), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return out


def _transcribe(path: Path, model: Path, channel: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOSK_", "DIALER_"))}
    env.update(VOSK_MODEL_PATH=str(model), DIALER_CUSTOMER_CHANNEL=channel)
    script = Path(sys.executable).with_name("dialer")
    done = subprocess.run([str(script), "transcribe", "--free", str(path)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    transcript: str = json.loads(done.stdout)["transcript"]
    return transcript


@pytest.fixture
def call(phone_clip: Callable[[str], Path], tmp_path: Path) -> Path:
    return _stereo(phone_clip("아니요"), phone_clip("네"), tmp_path / "call.wav")


def test_the_customer_on_the_right_channel_is_heard_by_default(call: Path, standin_dir: Path) -> None:
    assert _transcribe(call, standin_dir, "1") in ("是", "对")  # the stand-in hears 네 as either


def test_a_provider_with_the_customer_on_the_left_is_set_to_channel_0(
    call: Path, standin_model: SpeechModel, phone_clip: Callable[[str], Path]
) -> None:
    heard = transcribe_free(standin_model, convert_audio(call, standin_model.sample_rate, channel=0)).text
    alone = transcribe_free(standin_model, phone_clip("아니요")).text  # what the left side said on its own
    assert heard == alone and heard not in ("", "是", "对")
