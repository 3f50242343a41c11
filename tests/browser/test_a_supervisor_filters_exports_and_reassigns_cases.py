"""A supervisor filters the problem cases, exports them to Excel and finds the same rows in the workbook, then
reassigns a case to another agent; the agent who had it can no longer change it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from dialer.model import ProblemCase, Role, Task, User
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.seed import PASSWORD, _password_hash, seed

pytestmark = pytest.mark.browser


def _more_cases(site: Site) -> dict[str, int]:
    """Two more customers' cases: 李四's in 理赔部, 王五's in 个险部 (like the seeded 张三's); one more agent."""
    li = seed(site.db, site.root, name="李四", phone="+8613912345678")
    wang = seed(site.db, site.root, name="王五", phone="+8613700001111")
    with site.db.session() as s, s.begin():
        s.get_one(ProblemCase, li.case).department = "理赔部"
        s.get_one(Task, li.task).department = "理赔部"
        s.add(
            User(
                username="qian_agent", role=Role.AGENT, display_name="钱专员", password_hash=_password_hash()
            )
        )
    return {"李四": li.case, "王五": wang.case}


def test_a_supervisor_filters_exports_and_reassigns_cases(
    page: Page, site: Site, shots: Shots, tmp_path: Path
) -> None:
    cases = _more_cases(site)
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.get_by_role("link", name="问题件").first.click()
    expect(page.locator("#cases tbody tr")).to_have_count(3)
    shots(page, "cases-all")
    page.select_option("#filters select[name=department]", "个险部")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#cases tbody tr")).to_have_count(2)
    expect(page.locator(".list-bar")).to_contain_text("共 2 条")
    on_page = sorted(int(x) for x in page.locator("#cases tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.case)"))  # fmt: skip
    shots(page, "cases-filtered")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    path = tmp_path / "cases.xlsx"
    info.value.save_as(path)
    assert re.fullmatch(r"问题件-\d{8}-\d{4}\.xlsx", info.value.suggested_filename)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    head = list(rows[0])
    assert sorted(r[0] for r in rows[1:]) == on_page == sorted([site.seeded.case, cases["王五"]])
    assert {r[head.index("客户")] for r in rows[1:]} == {"张三", "王五"}
    assert all("****" in r[head.index("电话")] for r in rows[1:])  # a supervisor sees phones masked

    page.locator(f"tr[data-case='{cases['王五']}'] a").first.click()
    page.select_option("#reassign select[name=assignee]", label="李专员（回访专员）")
    page.get_by_role("button", name="分派").click()
    expect(page.locator(".flash.ok")).to_contain_text("问题件已改派给李专员")
    expect(page.locator("#assignee")).to_have_text("李专员")
    page.select_option("#reassign select[name=assignee]", label="钱专员（回访专员）")
    page.get_by_role("button", name="改派").click()
    expect(page.locator(".flash.ok")).to_contain_text("问题件已改派给钱专员")
    expect(page.locator("#assignee")).to_have_text("钱专员")
    shots(page, "case-reassigned")
    with site.db.session() as s:
        qian = s.query(User).filter_by(username="qian_agent").one()
        assert s.get_one(ProblemCase, cases["王五"]).assignee_id == qian.id

    page.get_by_role("button", name="退出").click()
    sign_in(page, site, "li_agent", PASSWORD)
    page.goto(f"{site.url}/cases/{cases['王五']}")
    expect(page.locator("main")).to_contain_text("该问题件由钱专员处理，只有处理人或主管可以修改")
    expect(page.locator("textarea[name=resolution]")).to_have_count(0)
    expect(page.locator("#answer-clip")).to_have_count(1)  # the agent can still hear the customer's 否
    shots(page, "case-of-another-agent")


def test_an_agent_closing_without_saving_keeps_the_resolution(page: Page, site: Site, shots: Shots) -> None:
    sign_in(page, site, "li_agent", PASSWORD)
    page.goto(f"{site.url}/cases/{site.seeded.case}")
    page.fill("textarea[name=resolution]", "已补寄产品说明书，客户确认收到。")
    page.get_by_role("button", name="关闭问题件").click()  # no cause chosen: refused, but the text is kept
    expect(page.locator(".flash.error")).to_contain_text("已填写的处理结果已保存")
    expect(page.locator("textarea[name=resolution]")).to_have_value("已补寄产品说明书，客户确认收到。")
    page.select_option("select[name=cause]", "其他")
    page.get_by_role("button", name="关闭问题件").click()
    expect(page.locator(".head-row")).to_contain_text("已关闭")
    expect(page.locator("main")).to_contain_text("已补寄产品说明书，客户确认收到。")
    shots(page, "case-closed-with-typed-text")
