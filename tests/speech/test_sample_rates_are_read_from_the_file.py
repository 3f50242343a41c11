"""The true rate comes from the file and is resampled to the model's rate; odd rates are refused."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from dialer.speech import SpeechModel, convert_audio, recognize_words
from dialer.speech.audio import Audio
from tests.speech.conftest import KOREAN_GRAMMAR, NO_WORDS, synthesise

FORMATS = [
    (8000, "pcm_mulaw", "wav", 1),
    (8000, "pcm_alaw", "wav", 1),
    (8000, "pcm_s16le", "wav", 1),
    (16000, "pcm_s16le", "wav", 1),
    (44100, "pcm_s16le", "wav", 2),
    (22050, "libmp3lame", "mp3", 1),
]


@pytest.mark.parametrize(("rate", "codec", "ext", "channels"), FORMATS)
def test_the_same_answer_is_heard_in_every_format(
    korean_model: SpeechModel, clip_dir: Path, rate: int, codec: str, ext: str, channels: int
) -> None:
    clip = synthesise("아니요", clip_dir, rate=rate, codec=codec, ext=ext, channels=channels)

    audio = convert_audio(clip, korean_model.sample_rate)
    heard = recognize_words(korean_model, audio, KOREAN_GRAMMAR)

    assert audio.source_rate == rate and audio.rate == 16000
    assert heard.text in NO_WORDS


def test_a_header_claiming_an_absurd_rate_is_no_answer(clip_dir: Path) -> None:
    data = bytearray(synthesise("네", clip_dir, codec="pcm_s16le").read_bytes())
    struct.pack_into("<I", data, 24, 1000)  # the fmt chunk's sample rate

    audio = convert_audio(bytes(data))

    assert audio.no_answer_reason == "unsupported sample rate 1000 Hz (expected 4000-192000 Hz)"


def test_audio_converted_for_another_rate_is_refused(korean_model: SpeechModel) -> None:
    wrong = Audio(pcm=b"\x00\x01" * 8000, rate=8000, source_rate=8000, duration=2.0)

    with pytest.raises(ValueError, match="8000 Hz but the model needs 16000 Hz"):
        recognize_words(korean_model, wrong, KOREAN_GRAMMAR)
