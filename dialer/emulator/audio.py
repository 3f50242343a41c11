"""Telephone audio: espeak-ng speech with a disk cache, decoding, a two-channel call timeline, WAV writing.

All audio inside the emulator is 8 kHz, mono, signed 16-bit little-endian PCM ("pcm"), as a phone line is.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import struct
import subprocess
import threading
import warnings
import wave
from pathlib import Path

from dialer.errors import DialerError

with warnings.catch_warnings():
    # audioop is deprecated (removed in 3.13), but pydub itself rests on it and it is the fast C mixer.
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

RATE = 8000
WIDTH = 2
SILENCE_RMS = 120  # below this a 20 ms frame counts as silence
DTMF = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "4": (770, 1209), "5": (770, 1336),
    "6": (770, 1477), "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "*": (941, 1209),
    "0": (941, 1336), "#": (941, 1477), "A": (697, 1633), "B": (770, 1633), "C": (852, 1633),
    "D": (941, 1633),
}  # fmt: skip


class AudioError(DialerError):
    """Audio could not be rendered or decoded."""


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


def to_pcm(data: bytes, name: str = "") -> bytes:
    """Decode WAV (PCM or µ-law) or MP3 bytes into 8 kHz mono pcm."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            raw = w.readframes(w.getnframes())
            return normalise(raw, w.getsampwidth(), w.getnchannels(), w.getframerate())
    except (wave.Error, EOFError, struct.error):
        pass  # not plain PCM WAV: let ffmpeg (via pydub) decode it
    from pydub import AudioSegment

    try:
        seg = AudioSegment.from_file(io.BytesIO(data), format=_format_of(name, data))
    except Exception as exc:  # pydub raises bare exceptions for ffmpeg failures
        raise AudioError(f"cannot decode audio {name or '(bytes)'}: {exc}") from exc
    seg = seg.set_frame_rate(RATE).set_channels(1).set_sample_width(WIDTH)
    return bytes(seg.raw_data)


def _format_of(name: str, data: bytes) -> str | None:
    if name.lower().endswith(".mp3") or data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "mp3"
    return "wav" if data[:4] == b"RIFF" else None


def normalise(raw: bytes, width: int, channels: int, rate: int) -> bytes:
    """Turn any PCM into 8 kHz 16-bit mono."""
    if width != WIDTH:
        raw = audioop.lin2lin(raw, width, WIDTH)
    if channels == 2:
        raw = audioop.tomono(raw, WIDTH, 0.5, 0.5)
    elif channels != 1:
        raise AudioError(f"unsupported channel count {channels}")
    if rate != RATE:
        raw, _ = audioop.ratecv(raw, WIDTH, 1, rate, RATE, None)
    return raw


def is_silent(pcm: bytes) -> bool:
    return not pcm or audioop.max(pcm, WIDTH) < SILENCE_RMS


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


class Tts:
    """espeak-ng speech, rendered once per (voice, text) and cached on disk and in memory."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._memory: dict[str, bytes] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def render(self, text: str, voice: str) -> bytes:
        """Return `text` spoken by espeak-ng `voice` as 8 kHz pcm."""
        key = hashlib.sha1(f"{voice}\n{text}".encode()).hexdigest()
        with self._guard:
            if key in self._memory:
                return self._memory[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one synthesis per phrase even when 100 calls ask at once
            if key not in self._memory:
                self._memory[key] = self._load_or_speak(key, text, voice)
        return self._memory[key]

    def _load_or_speak(self, key: str, text: str, voice: str) -> bytes:
        path = self.cache_dir / f"{key}.wav"
        if path.is_file():
            return to_pcm(path.read_bytes(), path.name)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            subprocess.run(
                ["espeak-ng", "-v", voice, "-w", str(tmp), text], check=True, capture_output=True, timeout=60
            )
            pcm = to_pcm(tmp.read_bytes(), tmp.name)
        except (OSError, subprocess.SubprocessError) as exc:
            raise AudioError(f"espeak-ng could not speak {text!r} with voice {voice!r}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        write_pcm_wav(path, pcm)
        return pcm


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


def write_pcm_wav(path: Path, pcm: bytes, channels: int = 1) -> None:
    """Write 8 kHz 16-bit PCM to a WAV file, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{threading.get_ident()}.part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(WIDTH)
        w.setframerate(RATE)
        w.writeframes(pcm)
    tmp.replace(path)


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
