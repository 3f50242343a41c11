"""Dead air after each answer, read from a two-channel call recording written as the emulator writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.emulator import audio
from dialer.speech.dead_air import RecordingError, dead_air


def _call(path: Path, service: list[tuple[float, float]], customer: list[tuple[float, float]]) -> Path:
    line = audio.Timeline()
    for channel, spans in ((0, service), (1, customer)):
        for start, end in spans:
            line.place(channel, start, audio.tone((440.0 + 200 * channel,), end - start))
    audio.write_pcm_wav(path, line.stereo(8.0), 2)
    return path


def test_it_measures_the_silence_between_each_answer_and_the_next_prompt(tmp_path: Path) -> None:
    wav = _call(
        tmp_path / "call.wav",
        # a question in two parts (a short pause inside it), two more prompts, the goodbye
        service=[(0.0, 0.8), (1.0, 1.6), (3.0, 3.8), (5.6, 6.2)],
        # an answer; a slow answer with a pause inside it; a word said over the goodbye's start
        customer=[(2.0, 2.4), (4.2, 4.5), (5.0, 5.2), (6.0, 6.5)],
    )
    assert dead_air(wav) == pytest.approx([0.6, 0.4], abs=0.021)


def test_the_customer_channel_can_be_the_left_one(tmp_path: Path) -> None:
    wav = _call(tmp_path / "call.wav", service=[(0.0, 0.5), (2.0, 2.5)], customer=[(1.0, 1.2)])
    assert dead_air(wav, customer_channel=1) == pytest.approx([0.8], abs=0.021)
    assert dead_air(wav, customer_channel=0) == []  # read the other way round, no answer precedes a prompt


def test_a_mono_file_is_refused_in_plain_words(tmp_path: Path) -> None:
    mono = tmp_path / "mono.wav"
    audio.write_pcm_wav(mono, audio.silence(1.0), 1)
    with pytest.raises(RecordingError, match="双声道"):
        dead_air(mono)
