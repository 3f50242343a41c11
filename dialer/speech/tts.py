"""Speech synthesis with espeak-ng, shared by the telephone emulator and the script preview on the pages.

Audio here is 8 kHz, mono, signed 16-bit little-endian PCM ("pcm"), as a phone line is. Each (voice, text) is
spoken once and kept on disk and in memory.
"""

from __future__ import annotations

import hashlib
import io
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


def voice_for(language: str | None) -> str:
    """Map a `<Say language>` to an espeak-ng voice: Chinese → cmn-latn-pinyin, English → en."""
    lang = (language or "en-US").lower()
    if lang.startswith(("cmn", "zh")):
        return "cmn-latn-pinyin"
    if lang.startswith("ko"):
        return "ko"
    if lang.startswith("yue"):
        return "yue"
    return "en" if lang.startswith("en") else lang.split("-")[0]


class AudioError(DialerError):
    """Audio could not be rendered or decoded."""


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


def pcm_wav(pcm: bytes) -> bytes:
    """Return 8 kHz 16-bit mono pcm as the bytes of a WAV file (what a browser's <audio> plays)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(WIDTH)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return out.getvalue()
