"""An archived recording (Ogg Opus) plays, seeks and keeps its two channels apart in Debian's chromium."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import wave
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dialer.model import Recording
from dialer.settings import Settings
from dialer.storage import open_stores
from dialer.worker.recordings_batch import archive_stored
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser
SECONDS, RATE = 8.0, 8000


def _two_voices() -> bytes:
    """Left: a tone all along. Right: silent for the first half, then a different tone."""
    frames = bytearray()
    for i in range(int(SECONDS * RATE)):
        left = int(8000 * math.sin(2 * math.pi * 440 * i / RATE))
        right = 0 if i < SECONDS * RATE / 2 else int(8000 * math.sin(2 * math.pi * 660 * i / RATE))
        frames += struct.pack("<hh", left, right)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return buf.getvalue()


def _archive(site: Site) -> Recording:
    wav = _two_voices()
    with site.db.session() as s, s.begin():
        rec = s.get_one(Recording, site.seeded.call_recording)
        (site.root / (rec.path or "")).write_bytes(wav)
        rec.sha256, rec.size, rec.duration = hashlib.sha256(wav).hexdigest(), len(wav), SECONDS
    settings = Settings(
        database_url=site.db.engine.url.render_as_string(hide_password=False), recordings_dir=site.root
    )
    report = archive_stored(settings, site.db, open_stores(settings))
    assert report.archived == [site.seeded.call_recording] and not report.errors
    with site.db.session() as s:
        return s.get_one(Recording, site.seeded.call_recording)


CHANNEL_LEVELS = """async src => {
  const buf = await (await fetch(src)).arrayBuffer();
  const audio = await new OfflineAudioContext(2, 8000, 8000).decodeAudioData(buf);
  const rms = (ch, from, to) => { const d = audio.getChannelData(ch); const a = Math.floor(from * audio.sampleRate),
    b = Math.floor(to * audio.sampleRate); let s = 0; for (let i = a; i < b; i++) s += d[i] * d[i];
    return Math.sqrt(s / (b - a)); };
  return {channels: audio.numberOfChannels, left: rms(0, 0.5, 3.5), right_quiet: rms(1, 0.5, 3.5),
          right_late: rms(1, 4.5, 7.5)};
}"""


def test_an_archived_recording_plays_seeks_and_keeps_two_channels(
    page: Page, site: Site, shots: Shots
) -> None:
    rec = _archive(site)
    assert (
        rec.path
        and rec.path.endswith(".ogg")
        and not (site.root / f"{site.seeded.attempt}/call.wav").exists()
    )
    sign_in(page, site, "wang_qc", PASSWORD)
    page.goto(f"{site.url}/calls/{site.seeded.attempt}")
    expect(page.locator(".recording .tag.ok").first).to_contain_text("校验一致")
    audio = page.locator(".recording audio").first
    assert audio.evaluate("a => a.canPlayType('audio/ogg; codecs=opus')") == "probably"
    audio.evaluate(
        "a => new Promise((ok, bad) => { if (a.readyState >= 1) ok(); a.onloadedmetadata = ok; a.onerror = bad; a.load(); })"
    )
    assert audio.evaluate("a => a.duration") == pytest.approx(SECONDS, abs=0.06)
    played = audio.evaluate("a => { a.muted = true; return a.play().then(() => !a.paused); }")
    assert played
    seeked = audio.evaluate(
        "a => new Promise(ok => { a.onseeked = () => ok(a.currentTime); a.currentTime = 6.0; })"
    )
    assert seeked == pytest.approx(6.0, abs=0.1) and audio.evaluate("a => a.error") is None
    levels = page.evaluate(CHANNEL_LEVELS, f"/recordings/{rec.id}")
    assert levels["channels"] == 2 and levels["left"] > 0.1 and levels["right_late"] > 0.1
    assert levels["right_quiet"] < 0.01  # the left voice has not leaked into the right channel
    shots(page, "archived-call")
    with page.expect_download() as dl:
        page.locator(".recording").get_by_role("link", name="下载").click()
    assert dl.value.suggested_filename.endswith(".ogg")
    assert Path(dl.value.path()).read_bytes() == (site.root / rec.path).read_bytes()
