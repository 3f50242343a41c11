"""Turn an answer clip into 16-bit mono PCM at the rate the model needs, or say why it holds no answer.

Telephone gateways record WAV (PCM, or 8 kHz µ-law); some send MP3. WAV is decoded in-process
(a few hundred microseconds, so a webhook can afford it); anything else goes through ffmpeg via
pydub. The true rate is read from the file and the audio resampled to the model's rate here,
because Vosk given a wrong rate decodes badly without any error.

Bad audio never raises: `Audio.no_answer_reason` says what was wrong (empty, corrupt, too short,
silent, unsupported rate) and the recognizer reports "no answer" with that reason.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.utils import audioop

MIN_SECONDS = 0.2
SILENCE_DBFS = -45.0
MIN_RATE, MAX_RATE = 4000, 192_000
WAVE_PCM, WAVE_FLOAT, WAVE_ALAW, WAVE_MULAW, WAVE_EXTENSIBLE = 1, 3, 6, 7, 0xFFFE


@dataclass(frozen=True)
class Audio:
    """16-bit little-endian mono PCM at `rate`, the rate it was recorded at, and any reason it is unusable."""

    pcm: bytes
    rate: int
    source_rate: int
    duration: float
    no_answer_reason: str | None = None


class _BadAudio(Exception):
    """The clip holds no usable answer; the message is the reason shown to people."""


def convert_audio(source: str | Path | bytes, rate: int = 16000, channel: int | None = None) -> Audio:
    """Read a clip (path or bytes) and return it as mono 16-bit PCM at `rate`, or a no-answer reason.

    `channel` picks one channel of a two-channel recording (DIALER_CUSTOMER_CHANNEL: the customer's side of
    a whole call) instead of mixing both; a mono clip is taken as it is.
    """
    try:
        data = source if isinstance(source, bytes) else _read(Path(source))
        segment = _decode(data)
    except _BadAudio as exc:
        return Audio(b"", rate, 0, 0.0, str(exc))
    if channel is not None and segment.channels == 2:
        segment = segment.split_to_mono()[channel]
    source_rate = segment.frame_rate
    if not MIN_RATE <= source_rate <= MAX_RATE:
        reason = f"unsupported sample rate {source_rate} Hz (expected {MIN_RATE}-{MAX_RATE} Hz)"
        return Audio(b"", rate, source_rate, 0.0, reason)
    segment = segment.set_channels(1).set_sample_width(2).set_frame_rate(rate)
    duration = len(segment.raw_data) / (2 * rate)
    return Audio(segment.raw_data, rate, source_rate, duration, _judge(segment, duration))


def _judge(segment: AudioSegment, duration: float) -> str | None:
    if duration == 0:
        return "empty: the recording holds no audio"
    if duration < MIN_SECONDS:
        return f"too short: {duration:.2f} s of audio (at least {MIN_SECONDS} s needed)"
    if segment.dBFS < SILENCE_DBFS:
        return f"silent: level {segment.dBFS:.0f} dBFS is below {SILENCE_DBFS:.0f} dBFS"
    return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise _BadAudio(f"missing: no recording at {path}") from None
    except OSError as exc:
        raise _BadAudio(f"unreadable: {path} ({exc.strerror})") from None


def _decode(data: bytes) -> AudioSegment:
    if not data:
        raise _BadAudio("empty: the recording is 0 bytes")
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        segment = _decode_wav(data)
        if segment is not None:
            return segment
    try:
        return AudioSegment.from_file(io.BytesIO(data))
    except (CouldntDecodeError, IndexError, ValueError, OSError) as exc:
        first_line = (str(exc).strip().splitlines() or ["unknown error"])[-1][:200]
        raise _BadAudio(f"corrupt: the recording cannot be decoded ({first_line})") from None


def _decode_wav(data: bytes) -> AudioSegment | None:
    """Decode PCM, µ-law and A-law WAV in-process; return None for formats left to ffmpeg."""
    fmt, frames = _wav_chunks(data)
    if len(fmt) < 16:
        raise _BadAudio("corrupt: the WAV header has no format chunk")
    tag, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == WAVE_EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)
    if channels == 0 or align == 0:
        raise _BadAudio("corrupt: the WAV header declares no channels")
    frames = frames[: len(frames) - len(frames) % align]
    if tag == WAVE_PCM and bits in (8, 16, 24, 32):
        return AudioSegment(data=frames, sample_width=bits // 8, frame_rate=rate, channels=channels)
    if tag in (WAVE_MULAW, WAVE_ALAW) and bits == 8:
        decode = audioop.ulaw2lin if tag == WAVE_MULAW else audioop.alaw2lin
        return AudioSegment(data=decode(frames, 2), sample_width=2, frame_rate=rate, channels=channels)
    return None


def _wav_chunks(data: bytes) -> tuple[bytes, bytes]:
    fmt, frames, pos = b"", None, 12
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8 : pos + 8 + size]  # streaming writers leave size too big: clamp
        if chunk_id == b"fmt ":
            fmt = body
        elif chunk_id == b"data":
            frames = body
            break
        pos += 8 + size + (size & 1)
    if frames is None:
        raise _BadAudio("corrupt: the WAV file has no data chunk")
    return fmt, frames
