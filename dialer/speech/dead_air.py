"""Dead air after each answer, read from a two-channel full-call recording.

For every answer it returns the silence the customer heard: from the end of their speech to the start of
the next prompt. Both channels are cut into 20 ms frames and each frame is speech or quiet by its loudness.
A prompt starts where the service channel sounds after at least `PROMPT_GAP` of quiet (pauses inside a
prompt are shorter). An answer is whatever the customer said after the previous prompt began and before
this one: the dead air is this prompt's start minus the customer's last speech before it — negative when
the next prompt talks over the end of the answer.
"""

from __future__ import annotations

import itertools
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

FRAME = 0.02
SPEECH_RMS = (
    300  # a 20 ms frame this loud holds speech (telephone speech is far louder; line noise far quieter)
)
PROMPT_GAP = 0.4  # seconds of quiet on the service channel before a sound counts as a new prompt


@dataclass(frozen=True)
class Turn:
    """One answer: when the customer stopped speaking, when the next prompt began, and the silence between."""

    answer_end: float
    prompt_start: float

    @property
    def dead_air(self) -> float:
        return round(self.prompt_start - self.answer_end, 3)


class RecordingError(ValueError):
    """The file is not a two-channel 16-bit WAV recording."""


def read_channels(path: Path) -> tuple[bytes, bytes, int]:
    """Return (left, right, rate) of a two-channel 16-bit PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 2 or w.getsampwidth() != 2:
                raise RecordingError(
                    f"{path.name}: 需要双声道 16 位 WAV 录音（得到 {w.getnchannels()} 声道）"
                )
            data, rate = w.readframes(w.getnframes()), w.getframerate()
    except (wave.Error, EOFError) as exc:
        raise RecordingError(f"{path.name}: 不是可读的 WAV 录音（{exc}）") from exc
    return audioop.tomono(data, 2, 1, 0), audioop.tomono(data, 2, 0, 1), rate


def speech_frames(pcm: bytes, rate: int) -> list[bool]:
    """Return, for each 20 ms frame, whether it holds sound."""
    step = int(rate * FRAME) * 2
    return [audioop.rms(pcm[i : i + step], 2) >= SPEECH_RMS for i in range(0, len(pcm) - step + 1, step)]


def prompt_starts(service: list[bool]) -> list[int]:
    """Return the frames where a prompt begins: sound after at least `PROMPT_GAP` of quiet (or at the start)."""
    gap = round(PROMPT_GAP / FRAME)
    starts, quiet = [], gap
    for i, loud in enumerate(service):
        if loud:
            if quiet >= gap:
                starts.append(i)
            quiet = 0
        else:
            quiet += 1
    return starts


def turns(service: list[bool], customer: list[bool]) -> list[Turn]:
    """Return each answer's turn: the customer's last sound before a prompt, and that prompt's start."""
    found = []
    starts = prompt_starts(service)
    for before, start in itertools.pairwise(starts):
        spoken = [i for i in range(before, min(start, len(customer))) if customer[i]]
        if spoken:
            found.append(Turn((spoken[-1] + 1) * FRAME, start * FRAME))
    return found


def dead_air(path: Path, customer_channel: int = 1) -> list[float]:
    """Return, for each answer in a two-channel call recording, the seconds of silence before the next prompt."""
    left, right, rate = read_channels(path)
    customer, service = (right, left) if customer_channel == 1 else (left, right)
    return [t.dead_air for t in turns(speech_frames(service, rate), speech_frames(customer, rate))]
