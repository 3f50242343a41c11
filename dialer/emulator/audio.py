"""Telephone audio: tones, silence, a two-channel call timeline, WAV and MP3 writing.

Speech (espeak-ng with a disk cache) and decoding live in `dialer.speech.tts`, shared with the script preview.

All audio inside the emulator is 8 kHz, mono, signed 16-bit little-endian PCM ("pcm"), as a phone line is.
"""

from __future__ import annotations

import math
import struct
import subprocess
import threading
import warnings
from pathlib import Path

from dialer.speech.tts import RATE, WIDTH, AudioError, Tts, normalise, to_pcm, write_pcm_wav

__all__ = ["RATE", "WIDTH", "AudioError", "Tts", "normalise", "to_pcm", "write_pcm_wav"]

with warnings.catch_warnings():
    # audioop is deprecated (removed in 3.13), but pydub itself rests on it and it is the fast C mixer.
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SILENCE_RMS = 120  # below this a 20 ms frame counts as silence
DTMF = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "4": (770, 1209), "5": (770, 1336),
    "6": (770, 1477), "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "*": (941, 1209),
    "0": (941, 1336), "#": (941, 1477), "A": (697, 1633), "B": (770, 1633), "C": (852, 1633),
    "D": (941, 1633),
}  # fmt: skip


def seconds(pcm: bytes) -> float:
    """Return the length of 8 kHz 16-bit mono audio in seconds."""
    return len(pcm) / (RATE * WIDTH)


def silence(duration: float) -> bytes:
    return b"\x00\x00" * round(duration * RATE)


def tone(freqs: tuple[float, ...], duration: float, level: float = 6000.0) -> bytes:
    """Return a sum of sine tones (a beep, a DTMF key, an agent's line hum)."""
    n = round(duration * RATE)
    amp = level / len(freqs)
    frames = (int(sum(amp * math.sin(2 * math.pi * f * i / RATE) for f in freqs)) for i in range(n))
    return struct.pack(f"<{n}h", *frames)


def dtmf(key: str) -> bytes:
    """Return the 0.1 s dual tone of one keypad key followed by a 0.1 s gap."""
    if key not in DTMF:
        raise AudioError(f"{key!r} is not a DTMF key; use 0-9, *, # or A-D")
    return tone(DTMF[key], 0.1) + silence(0.1)


def is_silent(pcm: bytes) -> bool:
    return not pcm or audioop.max(pcm, WIDTH) < SILENCE_RMS


def is_quiet(pcm: bytes) -> bool:
    """Return True when a frame holds no speech (its loudness under the silence threshold)."""
    return not pcm or audioop.rms(pcm, WIDTH) < SILENCE_RMS


TRIM_PAD_FRAMES = 10  # keep 200 ms of quiet around the speech, as a recorder's trim does


def trim_silence(pcm: bytes) -> bytes:
    """Drop leading and trailing silence (20 ms frames), keeping a short pad around the speech."""
    step = RATE * WIDTH // 50
    frames = [pcm[i : i + step] for i in range(0, len(pcm), step)]
    loud = [i for i, f in enumerate(frames) if audioop.rms(f, WIDTH) >= SILENCE_RMS]
    if not loud:
        return b""
    first = max(0, loud[0] - TRIM_PAD_FRAMES)
    return b"".join(frames[first : loud[-1] + 1 + TRIM_PAD_FRAMES])


class Timeline:
    """The audio of one call from answer to hang-up: channel 0 the service side, channel 1 the party called."""

    def __init__(self) -> None:
        self._tracks = [bytearray(), bytearray()]
        self._lock = threading.Lock()

    def place(self, channel: int, at: float, pcm: bytes) -> None:
        """Mix `pcm` into `channel` starting `at` seconds after answer."""
        if not pcm:
            return
        start = round(at * RATE) * WIDTH
        with self._lock:
            track = self._tracks[channel]
            end = start + len(pcm)
            if len(track) < end:
                track.extend(b"\x00" * (end - len(track)))
            track[start:end] = audioop.add(bytes(track[start:end]), pcm, WIDTH)

    def slice(self, channel: int, start: float, end: float) -> bytes:
        """Return `channel` between two offsets in seconds, padded with silence."""
        a, b = (round(x * RATE) * WIDTH for x in (start, end))
        with self._lock:
            part = bytes(self._tracks[channel][a:b])
        return part + b"\x00" * (max(b - a, 0) - len(part))

    def stereo(self, length: float) -> bytes:
        """Return both channels, `length` seconds long, interleaved (left = service, right = called party)."""
        left, right = self.slice(0, 0, length), self.slice(1, 0, length)
        return audioop.add(audioop.tostereo(left, WIDTH, 1, 0), audioop.tostereo(right, WIDTH, 0, 1), WIDTH)

    def mono(self, length: float) -> bytes:
        return audioop.add(self.slice(0, 0, length), self.slice(1, 0, length), WIDTH)


def write_ulaw_wav(path: Path, pcm: bytes) -> None:
    """Write pcm as an 8 kHz µ-law mono WAV (format tag 7), as telephone recordings are."""
    data = audioop.lin2ulaw(pcm, WIDTH)
    fmt = struct.pack("<HHIIHHH", 7, 1, RATE, RATE, 1, 8, 0)
    body = (
        b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"fact" + struct.pack("<II", 4, len(data))
        + b"data" + struct.pack("<I", len(data)) + data
        + (b"\x00" if len(data) % 2 else b"")
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{threading.get_ident()}.part")
    tmp.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    tmp.replace(path)


def wav_to_mp3(wav: Path) -> Path:
    """Return an MP3 twin of a WAV file, made once with ffmpeg."""
    mp3 = wav.with_suffix(".mp3")
    if not mp3.is_file():
        tmp = wav.with_suffix(f".{threading.get_ident()}.mp3")
        try:
            subprocess.run(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), str(tmp)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise AudioError(f"ffmpeg could not convert {wav.name} to mp3: {exc}") from exc
        tmp.replace(mp3)
    return mp3
