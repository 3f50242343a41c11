"""A supervisor edits a script's draft, hears a line of it, sees the difference from the approved version; a
compliance officer then approves it and the versions list shows it approved."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from dialer.settings import PROJECT_ROOT
from tests.browser.conftest import Shots, Site, sign_in
from tests.scripts.helpers import NEW_QUESTION, OLD_QUESTION
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser
LOADED = "a => new Promise((ok, bad) => { if (a.readyState >= 1) ok(); a.onloadedmetadata = ok; a.onerror = bad; a.load(); })"


def _edit(page: Page, site: Site, shots: Shots) -> None:
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.goto(f"{site.url}/admin/scripts/complaint")
    page.locator("#edit-script").click()
    expect(page.locator("#new-draft-note")).to_contain_text("已批准的第1版")
    source = page.locator("textarea[name=content]")
    source.fill(source.input_value().replace('kind = "yes_no"', 'kind = "opinion"', 1))
    page.get_by_role("button", name="从已批准版本新建草稿").click()
    expect(page.locator("#problems")).to_contain_text("未知的问题类型 'opinion'")
    shots(page, "refused")
    text = page.locator("textarea[name=content]").input_value()
    page.locator("textarea[name=content]").fill(
        text.replace('kind = "opinion"', 'kind = "yes_no"', 1).replace(OLD_QUESTION, NEW_QUESTION)
    )
    page.get_by_role("button", name="从已批准版本新建草稿").click()
    expect(page.locator(".flash.ok")).to_contain_text("第2版草稿已保存")


def _preview_and_diff(page: Page, shots: Shots) -> None:
    row = page.locator("#preview tr", has_text=NEW_QUESTION)
    audio = row.locator("audio")
    audio.evaluate(LOADED)
    assert audio.evaluate("a => a.readyState") >= 1
    assert audio.evaluate("a => a.duration") > 1.0
    changed = page.locator("#difference tr.diff-replace")
    expect(changed).to_have_count(1)
    expect(changed.locator("td.diff-old")).to_have_text(f'text = "{OLD_QUESTION}"')
    expect(changed.locator("td.diff-new")).to_have_text(f'text = "{NEW_QUESTION}"')
    shots(page, "draft-preview-and-difference")


def test_a_supervisor_edits_previews_and_compliance_approves(page: Page, browser: object, site: Site,
                                                            shots: Shots) -> None:  # fmt: skip
    scripts = site.root.parent / "scripts"  # the site's DIALER_SCRIPTS_DIR
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", scripts, dirs_exist_ok=True)
    blocked: list[str] = []  # the editor runs under the strict Content-Security-Policy

    def on_console(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text:
            blocked.append(msg.text)

    page.on("console", on_console)
    _edit(page, site, shots)
    _preview_and_diff(page, shots)
    assert blocked == []
    page.locator("a", has_text="返回版本列表").click()
    expect(page.locator("tr[data-version='2']")).to_contain_text("草稿")
    expect(page.get_by_role("button", name="批准第2版")).to_have_count(0)  # a supervisor cannot approve

    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")  # type: ignore[attr-defined]
    qc = context.new_page()
    try:
        sign_in(qc, site, "wang_qc", PASSWORD)
        qc.goto(f"{site.url}/admin/scripts/complaint")
        qc.get_by_role("button", name="批准第2版").click()
        expect(qc.locator(".flash.ok")).to_contain_text("第2版已批准")
        expect(qc.locator("tr[data-version='2']")).to_contain_text("已批准")
        expect(qc.locator("tr[data-version='1']")).to_contain_text("已停用")
        expect(qc.locator("body")).to_contain_text(NEW_QUESTION)
        shots(qc, "approved")
    finally:
        context.close()
