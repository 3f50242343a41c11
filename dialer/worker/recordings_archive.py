"""The archive codec: full-call WAVs become Ogg Opus, checked by decoding before anything is let go.

Why Ogg Opus at 20 kbit/s: measured on the demo's calls (tests/benchmarks/bench_recordings.py) it keeps a call
at well under 150 KB a minute, encodes in a small fraction of real time, and Debian's chromium plays and seeks
it (tests/browser). libopus codes the two channels jointly below about 18 kbit/s, which mixes the customer
into the agent's channel; at 20 kbit/s each channel stays its own. MP3 needs 32 kbit/s for the same two
channels (240 KB a minute) and pads the start and end, so its decoded length misses the original's.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import wave
from dataclasses import dataclass

from dialer.errors import DialerError

TOLERANCE_SECONDS = 0.050  # the archive's decoded length must be this close to the original's
FFMPEG_TIMEOUT = 300


class ArchiveError(DialerError):
    """A recording could not be archived; the original is kept."""


@dataclass(frozen=True)
class Codec:
    """How one archive format is made and served."""

    name: str
    suffix: str
    mimetype: str
    args: tuple[str, ...]


OPUS = Codec("opus", ".ogg", "audio/ogg",
             ("-c:a", "libopus", "-b:a", "20k", "-vbr", "on", "-application", "voip", "-f", "ogg"))  # fmt: skip
WAV = Codec("wav", ".wav", "audio/wav", ())
CODECS = {c.name: c for c in (OPUS, WAV)}


@dataclass(frozen=True)
class Audio:
    """Bytes to keep and what they hold."""

    data: bytes
    codec: Codec
    seconds: float
    channels: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def wav_facts(data: bytes) -> tuple[float, int, int]:
    """Return (seconds, channels, sample rate) of a PCM WAV; anything else is refused."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            return w.getnframes() / float(w.getframerate()), w.getnchannels(), w.getframerate()
    except (wave.Error, EOFError) as exc:
        raise ArchiveError(f"录音不是可识别的 WAV 文件（{exc}）", permanent=False) from exc


def _ffmpeg(args: list[str], data: bytes) -> bytes:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", "pipe:0", *args, "pipe:1"]
    try:
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)
    except FileNotFoundError as exc:
        raise ArchiveError("找不到 ffmpeg，无法压缩录音：请安装 ffmpeg（apt-get install ffmpeg）") from exc
    except subprocess.TimeoutExpired as exc:
        raise ArchiveError(f"ffmpeg 超过 {FFMPEG_TIMEOUT} 秒仍未完成", permanent=False) from exc
    if done.returncode != 0 or not done.stdout:
        text = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise ArchiveError(f"ffmpeg 处理录音失败：{text or done.returncode}")
    return done.stdout


def decoded_seconds(data: bytes, rate: int, channels: int) -> float:
    """Decode `data` to 16-bit PCM with `channels` channels at `rate`; return its length in seconds."""
    pcm = _ffmpeg(["-ac", str(channels), "-ar", str(rate), "-f", "s16le"], data)
    return len(pcm) / (2 * channels * rate)


def channel_count(data: bytes) -> int:
    """Return how many channels the first audio stream of `data` has (asked of ffprobe)."""
    cmd = ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels",
           "-of", "csv=p=0", "-i", "pipe:0"]  # fmt: skip
    done = subprocess.run(cmd, input=data, capture_output=True, timeout=60, check=False)
    try:
        return int(done.stdout.decode().strip().split(",")[0])
    except ValueError as exc:
        raise ArchiveError("压缩后的录音读不出声道数") from exc


def archive(wav: bytes, codec: Codec = OPUS) -> Audio:
    """Encode a WAV in `codec` and prove it: same channels, decoded length within 50 ms of the original."""
    seconds, channels, rate = wav_facts(wav)
    if codec is WAV:
        return Audio(wav, WAV, seconds, channels)
    data = _ffmpeg(list(codec.args), wav)
    if (got := channel_count(data)) != channels:
        raise ArchiveError(f"压缩后声道数为 {got}，原始录音为 {channels}，保留原始录音")
    decoded = decoded_seconds(data, rate, channels)
    if abs(decoded - seconds) > TOLERANCE_SECONDS:
        raise ArchiveError(
            f"压缩后时长 {decoded:.3f} 秒与原始录音 {seconds:.3f} 秒相差超过 50 毫秒，保留原始录音"
        )
    return Audio(data, codec, seconds, channels)
