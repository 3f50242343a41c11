"""An agent signs in, takes an escalated caller, and works a problem case through to closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dialer.model import Callback, CaseStatus, Escalation, ProblemCase
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


def test_an_agent_takes_an_escalation_and_resolves_a_problem_case(
    page: Page, site: Site, shots: Shots
) -> None:
    shots(page, "sign-in") if page.goto(f"{site.url}/login") else None
    sign_in(page, site, "li_agent", PASSWORD)
    expect(page.locator("header .who")).to_contain_text("回访专员")
    row = page.locator(f"tr[data-escalation='{site.seeded.escalation}']")
    expect(row).to_contain_text("张三")
    expect(row).to_contain_text("138****1234")
    shots(page, "board")
    row.get_by_role("button", name="接听").click()
    expect(page.locator(".flash.ok")).to_contain_text("已请求接听")
    expect(row).to_contain_text("正在呼叫")
    shots(page, "board-taken")
    with site.db.session() as s:
        esc = s.get_one(Escalation, site.seeded.escalation)
        assert (esc.status, esc.agent_phone) == ("agent_requested", "+8613900001111")

    page.get_by_role("link", name="问题件").first.click()
    expect(page.locator("table.grid")).to_contain_text("您是否已阅读产品说明书和风险提示？")
    shots(page, "case-queue")
    page.get_by_role("link", name=f"#{site.seeded.case}").click()
    page.get_by_role("button", name="分配给我").click()
    expect(page.locator(".flash.ok")).to_contain_text("已分配给您")
    page.fill("textarea[name=body]", "已致电客户，客户表示未收到产品说明书，已安排补寄。")
    page.get_by_role("button", name="添加备注").click()
    page.fill("textarea[name=resolution]", "补寄产品说明书及风险提示书，客户确认知悉。")
    page.get_by_role("button", name="保存处理结果").click()
    page.fill("input[name=due]", "2026-03-12")
    page.get_by_role("button", name="安排回拨").click()
    expect(page.locator(".flash.ok")).to_contain_text("已安排二次回访")
    shots(page, "case-worked")
    page.select_option("select[name=cause]", "销售误导")
    page.get_by_role("button", name="关闭问题件").click()
    expect(page.locator(".head-row")).to_contain_text("已关闭")
    shots(page, "case-closed")
    page.get_by_role("link", name="我的回拨").click()
    expect(page.locator("table.grid")).to_contain_text("问题件二次回访")
    shots(page, "my-callbacks")
    with site.db.session() as s:
        case = s.get_one(ProblemCase, site.seeded.case)
        assert (case.status, case.cause) == (CaseStatus.CLOSED, "销售误导")
        assert [n.body for n in case.notes] == ["已致电客户，客户表示未收到产品说明书，已安排补寄。"]
        assert s.query(Callback).filter_by(problem_case_id=case.id).count() == 1
