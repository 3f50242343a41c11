"""A supervisor opens the monthly report: charts drawn by the app's own ECharts, a drill-down, then files the month."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect

from dialer.settings import PROJECT_ROOT
from tests.browser.conftest import Shots, Site, sign_in
from tests.reports.golden import seed_golden
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser
CHARTS = ("chart-types", "chart-trend", "chart-questions", "chart-satisfaction")


def test_the_report_page_draws_its_charts_drills_down_and_files(page: Page, site: Site, shots: Shots) -> None:
    seed_golden(site.db)
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", site.root.parent / "scripts")  # the satisfaction questions
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(site.url) else None)
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.get_by_role("link", name="月度报告").click()
    page.fill("input[name=month]", "2026-11")
    page.locator("#report-filter button").click()
    expect(page.locator("h1")).to_contain_text("回访统计分析报告 · 2026年11月")
    for chart in CHARTS:
        expect(page.locator(f"#{chart}[data-drawn='1'] canvas")).to_have_count(1)
    drawn = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-types')).getOption().series[1].data"
    )
    assert drawn == [60.0, 75.0]  # 回访成功率: 新契约 3 of 5, 理赔 3 of 4
    pie = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-satisfaction')).getOption().series[0].data"
        ".map(d => d.value)"
    )
    assert pie == [4, 1, 1]
    expect(page.locator("#kpis")).to_contain_text("66.7%")
    expect(page.locator("#agents")).to_contain_text("无数据")
    shots(page, "monthly-report")
    assert outside == [], f"the page fetched from outside the app: {outside}"

    page.locator("#by-type tbody tr", has_text="理赔").locator("a.drill").nth(2).click()  # 回访成功 of 理赔
    expect(page.locator("h1")).to_contain_text("任务类型“理赔回访”，回访成功")
    expect(page.locator("#drill tbody tr")).to_have_count(3)
    shots(page, "drill-down")

    page.go_back()
    page.fill("#analysis-text", "十一月回访总体平稳；理赔“赔款是否已足额到账”一题须督办。")
    page.get_by_role("button", name="归档本月报告").click()
    expect(page.locator(".flash.ok")).to_contain_text("已归档（第 1 版）")
    expect(page.locator("#filed")).to_contain_text("归档人 赵主管")  # by name, not login
    expect(page.locator("#analysis")).to_contain_text("须督办")
    shots(page, "filed")
