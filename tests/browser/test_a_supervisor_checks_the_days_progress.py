"""A supervisor opens today's progress, steps back a day with the date picker, and sees the tasks at risk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from dialer.model import Attempt, Customer, Task, TaskStatus
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import NOW, PASSWORD

pytestmark = pytest.mark.browser


def _add_yesterdays_late_task(site: Site) -> None:
    with site.db.session() as s, s.begin():
        c = Customer(name="钱七", phone="+8613711112222")
        t = Task(customer=c, type="claim", script="claim", event_at=NOW - timedelta(days=20),
                 earliest_at=NOW - timedelta(days=20), deadline_at=NOW - timedelta(hours=2),
                 status=TaskStatus.PENDING, attempt_count=1)  # fmt: skip
        s.add_all([c, t])
        s.flush()
        s.add(Attempt(task=t, number=1, status="no-answer", outcome="no_answer", to_number=c.phone,
                      script="claim", placed_at=NOW - timedelta(days=1)))  # fmt: skip


def test_a_supervisor_sees_today_then_yesterday_and_the_late_task(
    page: Page, site: Site, shots: Shots
) -> None:
    _add_yesterdays_late_task(site)
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.get_by_role("link", name="今日进度").click()
    expect(page.locator("h1")).to_contain_text("今日进度 · 2026-03-10")
    progress = page.locator("#progress tbody")
    expect(progress.locator("tr")).to_have_count(2)
    expect(progress).to_contain_text("新契约回访")
    late = page.locator("#at-risk tbody tr", has_text="钱七")
    expect(late).to_contain_text("已超期")
    expect(late).to_contain_text("无人接听")
    shots(page, "progress-today")
    page.get_by_role("link", name="‹ 前一天").click()
    expect(page.locator("h1")).to_contain_text("回访进度 · 2026-03-09")
    expect(progress.locator("tr", has_text="理赔回访").locator("td").nth(1)).to_have_text("1")
    shots(page, "progress-yesterday")
    page.fill("input[name=day]", "2026-03-10")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_contain_text("今日进度")
