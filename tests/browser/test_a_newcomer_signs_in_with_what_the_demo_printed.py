"""After `dialer demo`, a person signs in in chromium with a name and password the demo printed and reaches the
home page of their role (the demo's own database, served as its last line says)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Connection

from dialer.app import create_app
from dialer.demo.campaign import demo_settings
from dialer.services import services
from dialer.settings import Settings
from tests.browser.conftest import Shots, running, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOMES = {"agent": ("/board", "等待接听的来电"), "supervisor": ("/board", "等待接听的来电"),
         "compliance": ("/calls", "通话查询"), "admin": ("/board", "等待接听的来电")}  # fmt: skip


@pytest.fixture
def demo_url(demo: tuple[dict[str, Any], Connection, Path]) -> Iterator[str]:
    """Serve the demo's own database and recordings, as its last line tells a person to."""
    settings = demo_settings(Settings(secret_key="demo-browser-test"), demo[2])
    app = create_app(settings)
    try:
        with running(app) as url:
            yield url
    finally:
        services(app).db.dispose()


def test_each_account_the_demo_printed_reaches_its_home_page(
    page: Page, demo_url: str, demo: tuple[dict[str, Any], Connection, Path], shots: Shots
) -> None:
    printed = demo[0]["users"]
    assert {u["role"] for u in printed} == set(HOMES)
    for user in printed:
        sign_in(page, demo_url, user["username"], user["password"])
        path, heading = HOMES[user["role"]]
        expect(page).to_have_url(demo_url + path)
        expect(page.locator("h1").first).to_contain_text(heading)
        expect(page.locator("header .who")).to_contain_text("演示")
        shots(page, f"home-{user['role']}")
        page.click("header .who button")  # 退出
        expect(page).to_have_url(demo_url + "/login")
    sign_in(page, demo_url, printed[0]["username"], printed[0]["password"] + "x")
    expect(page.locator(".flash.error")).to_be_visible()
    shots(page, "wrong-password")
