"""A signed-in user whose role has no right to calls (an agent) is refused every recording and call URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def test_a_user_with_no_rights_is_refused_on_every_recording_and_call_url(page: Page, site: Site,
                                                                          shots: Shots) -> None:  # fmt: skip
    s = site.seeded
    urls = [f"/calls/{s.attempt}", f"/recordings/{s.call_recording}", f"/recordings/{s.clip}",
            f"/recordings/{s.call_recording}/download", f"/calls/{s.attempt}/evidence.zip", "/calls", "/audit"]  # fmt: skip
    page.goto(f"{site.url}{urls[1]}")
    expect(page.locator("h1")).to_have_text("登录")  # not signed in: sent to sign in, nothing played
    shots(page, "stranger-sent-to-sign-in")
    sign_in(page, site, "li_agent", PASSWORD)  # supervisors listen for quality checks; agents hear no call
    expect(page.locator("header .who")).to_contain_text("回访专员")
    for n, url in enumerate(urls):
        resp = page.goto(f"{site.url}{url}")
        assert resp is not None and resp.status in (403, 404), url
        expect(page.locator(".error-card h1")).to_have_text("未找到" if resp.status == 404 else "无权访问")
        expect(page.locator("body")).not_to_contain_text("Traceback")
        if n in (0, 1, 5):
            shots(page, f"refused-{url.strip('/').replace('/', '-')}")
