"""Every console page works in chromium under the Content-Security-Policy: no script, style, audio or fetch of
ours is blocked, and the board's own script still refreshes the waiting callers.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def _watch(page: Page) -> list[str]:
    """Collect every CSP violation the page reports (console errors and securitypolicyviolation events)."""
    seen: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            seen.append(msg.text)

    page.on("console", on_console)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_each_page_of_each_role_runs_without_a_csp_violation(page: Page, site: Site) -> None:
    seen = _watch(page)
    sign_in(page, site, "admin", PASSWORD)
    for path in ("/board", "/cases", f"/cases/{site.seeded.case}", "/callbacks", "/calls",
                 f"/calls/{site.seeded.attempt}", "/audit", "/admin/progress", "/admin/upload",
                 "/admin/scripts", "/admin/users"):  # fmt: skip
        response = page.goto(f"{site.url}{path}")
        assert response is not None and response.ok, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    assert seen == []


def test_the_board_still_refreshes_itself(page: Page, site: Site) -> None:
    seen = _watch(page)
    sign_in(page, site, "li_agent", PASSWORD)
    page.goto(f"{site.url}/board")
    expect(page.locator("#refreshed")).to_contain_text("已刷新", timeout=10_000)
    assert seen == []


def test_a_call_page_loads_its_recording_under_the_policy(page: Page, site: Site) -> None:
    seen = _watch(page)
    sign_in(page, site, "wang_qc", PASSWORD)
    page.goto(f"{site.url}/calls/{site.seeded.attempt}")
    audio = page.locator(".recording audio").first
    audio.evaluate(
        "a => new Promise((ok, bad) => { if (a.readyState >= 1) ok(); a.onloadedmetadata = ok; a.onerror = bad; a.load(); })"
    )
    assert audio.evaluate("a => a.duration") > 1
    assert seen == []
