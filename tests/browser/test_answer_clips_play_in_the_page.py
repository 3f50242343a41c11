"""The gateway's answer clips are µ-law WAV: the page's player must load, play and seek them."""

from __future__ import annotations

import hashlib
import math
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dialer.model import Recording
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def mulaw(sample: int) -> int:
    """Encode one 16-bit sample as G.711 µ-law."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(magnitude.bit_length() - 8, 0)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def write_mulaw_wav(path: Path, seconds: float, rate: int = 8000) -> str:
    """Write a mono µ-law WAV tone (format tag 7, as the gateway stores clips) and return its SHA-256."""
    data = bytes(
        mulaw(int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
    )
    fmt = struct.pack("<HHIIHHH", 7, 1, rate, rate, 1, 8, 0)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(data))
            + b"data" + struct.pack("<I", len(data)) + data)  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_mulaw_answer_clip_loads_plays_and_seeks(page: Page, site: Site, shots: Shots) -> None:
    rel = f"{site.seeded.attempt}/q3-mulaw.wav"
    sha = write_mulaw_wav(site.root / rel, 1.5)
    with site.db.session() as s, s.begin():
        clip = s.get_one(Recording, site.seeded.clip)
        clip.path, clip.sha256, clip.size = rel, sha, (site.root / rel).stat().st_size
    sign_in(page, site, "wang_qc", PASSWORD)
    page.goto(f"{site.url}/calls/{site.seeded.attempt}")
    player = page.locator(f"audio[src$='/recordings/{site.seeded.clip}']")
    expect(player).to_have_count(1)
    played = player.evaluate(
        """async a => {
            a.muted = true;
            await a.play();
            await new Promise(ok => setTimeout(ok, 300));
            a.pause();
            const at = a.currentTime;
            await new Promise(ok => { a.onseeked = ok; a.currentTime = 1.2; });
            return {duration: a.duration, at, seekedTo: a.currentTime, error: a.error && a.error.message};
        }"""
    )
    assert played["error"] is None
    assert played["duration"] == pytest.approx(1.5, abs=0.05)
    assert played["at"] > 0.1  # the clock moved: the browser decoded the µ-law audio
    assert played["seekedTo"] == pytest.approx(1.2, abs=0.05)
    expect(page.locator("tr.problem .tag.ok")).to_contain_text("校验一致")
    shots(page, "call-with-mulaw-clip")
