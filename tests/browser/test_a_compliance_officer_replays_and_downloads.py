"""A compliance officer searches, plays and seeks a recording, downloads it, and finds it in the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def test_a_compliance_officer_searches_replays_downloads_and_sees_the_audit(page: Page, site: Site,
                                                                            shots: Shots) -> None:  # fmt: skip
    sign_in(page, site, "wang_qc", PASSWORD)
    expect(page.locator("header .who")).to_contain_text("合规质检")
    page.fill("input[name=phone]", "13812341234")
    page.select_option("select[name=problem]", "yes")
    page.get_by_role("button", name="查询").click()
    results = page.locator("#results")
    expect(results).to_contain_text("张三")
    expect(results).to_contain_text("+8613812341234")
    shots(page, "search")
    results.get_by_role("link", name="查看").click()
    expect(page.locator(".recording .tag.ok")).to_contain_text("校验一致")
    audio = page.locator(".recording audio").first
    audio.evaluate(
        "a => new Promise((ok, bad) => { if (a.readyState >= 1) ok(); a.onloadedmetadata = ok; a.onerror = bad; a.load(); })"
    )
    assert audio.evaluate("a => a.duration") == pytest.approx(6.0, abs=0.1)
    seeked = audio.evaluate(
        """a => new Promise(ok => { a.onseeked = () => ok(a.currentTime); a.currentTime = 4.5; })"""
    )
    assert seeked == pytest.approx(4.5, abs=0.1)
    assert audio.evaluate("a => a.seekable.length > 0 && a.seekable.end(0) > 5")
    shots(page, "call")
    with page.expect_download() as dl:
        page.locator(".recording").get_by_role("link", name="下载").click()
    download = dl.value
    assert download.suggested_filename == f"call-{site.seeded.attempt}-call-{site.seeded.call_recording}.wav"
    assert Path(download.path()).read_bytes() == (site.root / f"{site.seeded.attempt}/call.wav").read_bytes()
    page.get_by_role("link", name="审计日志").click()
    table = page.locator("#audit")
    for action in ("下载录音", "播放录音", "查看通话", "查询通话", "登录"):
        expect(table).to_contain_text(action)
    expect(table).to_contain_text(
        f"录音 #{site.seeded.call_recording}"
    )  # the object in words, its id on hover
    shots(page, "audit-log")
    page.get_by_role("link", name="校验哈希链").click()
    expect(page.locator(".flash.ok")).to_contain_text("哈希链完整")
    shots(page, "audit-verified")
