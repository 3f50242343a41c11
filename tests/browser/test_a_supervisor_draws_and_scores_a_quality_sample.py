"""A supervisor draws the month's quality-check sample, listens to one sampled call and scores it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dialer.model import AuditEntry, QaSample
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.qa_calls import add_agent_calls
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def test_a_supervisor_draws_a_sample_listens_and_scores_one_call(
    page: Page, site: Site, shots: Shots
) -> None:
    calls = add_agent_calls(site.db, site.root, site.seeded.users["agent"])
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.get_by_role("link", name="质检").click()
    expect(page.locator("h1")).to_contain_text("质检 · 2026年3月")
    expect(page.locator("#qa-samples")).to_contain_text("尚未抽取")
    page.get_by_role("button", name="抽取2026年3月质检样本").click()
    expect(page.locator(".flash.ok")).to_contain_text("已抽取 2 名坐席的 8 通通话")
    agents = page.locator("#qa-agents")
    expect(agents).to_contain_text("李专员")
    expect(agents).to_contain_text("周专员")
    shots(page, "sample-drawn")

    first = page.locator("#qa-samples tbody tr").first
    attempt = int(first.locator("td").nth(1).inner_text())
    assert attempt in calls.calls["li_agent"]
    first.get_by_role("link", name="评分").click()
    expect(page.locator("h1")).to_contain_text(f"质检评分 · 通话 {attempt}")
    audio = page.locator(".recording audio").first
    audio.evaluate(
        "a => new Promise((ok, bad) => { if (a.readyState >= 1) ok(); a.onloadedmetadata = ok; a.onerror = bad; a.load(); })"
    )
    assert audio.evaluate("a => a.duration") == pytest.approx(1.0, abs=0.1)  # the supervisor hears the call
    rows = page.locator("#score-form tbody tr")
    for i in range(5):
        rows.nth(i).get_by_label("不符合" if i == 3 else "符合", exact=True).check()
    rows.nth(3).locator("input[name=note_3]").fill("承诺了保证收益")
    page.fill("input[name=comment]", "需加强合规培训")
    shots(page, "scoring")
    page.get_by_role("button", name="保存评分").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"通话 {attempt} 的质检评分已保存：4/5 项符合")
    expect(page.locator("#qa-samples tr[data-sample] >> text=4/5 项符合")).to_be_visible()
    expect(agents).to_contain_text("80%")
    shots(page, "scored")
    with site.db.session() as s:
        row = s.scalars(select(QaSample).where(QaSample.attempt_id == attempt)).one()
        assert (row.score, row.scored_by, row.comment) == (4, "zhao_sup", "需加强合规培训")
        assert row.checks["items"][3] == {"item": "未作不当承诺", "ok": False, "note": "承诺了保证收益"}
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"qa_draw", "qa_score", "replay"} <= actions
