"""Empty, silent, too-short, corrupt or missing audio gives "no answer" with a reason, never an exception."""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer.speech import SpeechModel, convert_audio, recognize_answer, transcribe_free


def _wav(seconds: float, rate: int = 8000, level: int = 0) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = int(seconds * rate)
        w.writeframes(
            b"".join(((level if i % 2 else -level) & 0xFFFF).to_bytes(2, "little") for i in range(frames))
        )
    return buf.getvalue()


def test_an_empty_file_is_no_answer(standin_model: SpeechModel, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")

    heard = recognize_answer(standin_model, empty)

    assert heard.text == "" and heard.no_answer_reason is not None
    assert heard.no_answer_reason.startswith("empty")


def test_a_wav_with_a_header_and_no_audio_is_empty(standin_model: SpeechModel) -> None:
    heard = recognize_answer(standin_model, _wav(0))

    assert heard.no_answer_reason is not None and heard.no_answer_reason.startswith("empty")


def test_a_corrupt_file_is_no_answer(standin_model: SpeechModel, tmp_path: Path) -> None:
    junk = tmp_path / "answer.wav"
    junk.write_bytes(os.urandom(4000))

    heard = recognize_answer(standin_model, junk)

    assert heard.no_answer_reason is not None and heard.no_answer_reason.startswith("corrupt")


def test_a_wav_cut_off_after_its_header_is_corrupt(phone_clip: Callable[[str], Path]) -> None:
    header_only = phone_clip("네").read_bytes()[:30]

    assert (convert_audio(header_only).no_answer_reason or "").startswith("corrupt")


def test_silence_is_no_answer(standin_model: SpeechModel) -> None:
    heard = recognize_answer(standin_model, _wav(2.0, level=3))

    assert heard.no_answer_reason is not None and heard.no_answer_reason.startswith("silent")


def test_a_click_is_too_short(standin_model: SpeechModel) -> None:
    heard = recognize_answer(standin_model, _wav(0.1, level=8000))

    assert heard.no_answer_reason is not None and heard.no_answer_reason.startswith("too short")


def test_a_missing_recording_is_no_answer(standin_model: SpeechModel, tmp_path: Path) -> None:
    heard = recognize_answer(standin_model, tmp_path / "never-downloaded.wav")

    assert heard.no_answer_reason == f"missing: no recording at {tmp_path / 'never-downloaded.wav'}"


def test_free_form_also_reports_bad_audio(standin_model: SpeechModel) -> None:
    assert transcribe_free(standin_model, b"").no_answer_reason == "empty: the recording is 0 bytes"


@pytest.mark.parametrize("payload", [b"RIFF\x00\x00\x00\x00WAVEjunk", b"ID3\x03\x00garbage" * 10])
def test_half_formats_are_corrupt_not_crashes(payload: bytes) -> None:
    assert (convert_audio(payload).no_answer_reason or "").startswith("corrupt")
