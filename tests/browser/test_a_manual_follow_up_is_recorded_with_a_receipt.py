"""A supervisor opens the 机构自访 queue, records a branch visit with a photo of the signed receipt, sees the task
closed and the receipt shown; an agent of the department records a letter with a PDF receipt, and a file that
only claims to be a PDF is refused in plain words."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dialer.model import AuditEntry, FollowUp, Task, TaskStatus
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.followup_seed import receipt_image, receipt_pdf, set_department, unreachable_tasks
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser
U = TaskStatus.UNREACHABLE


def test_a_supervisor_records_a_visit_with_a_receipt_photo_and_the_task_closes(
    page: Page, site: Site, shots: Shots, tmp_path: Path
) -> None:
    first, second = unreachable_tasks(site.db, [("new_policy", "个险部", U), ("claim", "理赔部", U)])
    photo = tmp_path / "签收回执.png"
    photo.write_bytes(receipt_image("PNG"))
    sign_in(page, site, "zhao_sup", PASSWORD)
    page.get_by_role("link", name="机构自访").click()
    expect(page.locator("h1")).to_have_text("机构自访")
    expect(page.locator("#queue tbody tr[data-task]")).to_have_count(2)
    expect(page.locator("#shares")).to_contain_text("机构自访占比（上限 10%）")
    shots(page, "queue")

    page.locator(f"#queue tr[data-task='{first}']").get_by_role("link", name="登记自访").click()
    expect(page.locator("h1")).to_contain_text(f"机构自访 · 任务 #{first}")
    expect(page.locator("#dial")).to_have_count(1)  # where the 拨打 button goes
    form = page.locator("#record-form")
    form.locator("select[name=way]").select_option(label="上门拜访")
    form.locator("input[name=done_on]").fill("2026-03-09")
    form.locator("input[name=staff_name]").fill("城东网点 王经理")
    form.locator("input[name=reached_name]").fill("自访客户00")
    form.locator("select[name=result]").select_option(value="completed")
    form.locator("textarea[name=note]").fill("已当面核对各项回访内容，客户签字确认。")
    form.locator("input[name=receipt]").set_input_files(str(photo))
    shots(page, "form-filled")
    page.get_by_role("button", name="保存登记").click()

    expect(page.locator(".flash.ok")).to_contain_text("任务已完成（已机构自访）")
    expect(page.locator("#check")).to_contain_text("与登记时一致")
    image = page.locator("#receipt-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320  # the receipt really shows
    shots(page, "recorded")

    page.get_by_role("link", name=f"#{first}").click()
    expect(page.locator("#task-status")).to_have_text("已机构自访")
    expect(page.locator("#record")).to_have_count(0)
    page.get_by_role("link", name="机构自访", exact=True).first.click()
    expect(page.locator("#queue tbody tr[data-task]")).to_have_count(1)
    expect(page.locator(f"#queue tr[data-task='{second}']")).to_be_visible()
    expect(page.locator("#shares")).to_contain_text("超过上限")  # 1 of the month's 2 新契约 tasks
    shots(page, "queue-after")

    with site.db.session() as s:
        row = s.scalars(select(FollowUp)).one()
        assert s.get_one(Task, first).status == TaskStatus.FOLLOWED_UP
        assert row.receipt_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
        assert (row.way, row.result, row.recorded_by) == ("visit", "completed", "zhao_sup")
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.target == f"follow_up:{row.id}")))
    assert actions[0] == "follow_up_recorded" and {"view_follow_up", "view_receipt"} <= set(actions)


def test_an_agent_records_a_letter_with_a_pdf_and_a_fake_pdf_is_refused(
    page: Page, site: Site, shots: Shots, tmp_path: Path
) -> None:
    [task] = unreachable_tasks(site.db, [("new_policy", "个险部", U)])
    set_department(site.db, "li_agent", "个险部")
    fake, pdf = tmp_path / "回执.pdf", tmp_path / "信函回执.pdf"
    fake.write_text("这只是一段文字，不是 PDF。\n", encoding="utf-8")
    pdf.write_bytes(receipt_pdf())
    sign_in(page, site, "li_agent", PASSWORD)
    page.goto(f"{site.url}/followups/tasks/{task}")
    form = page.locator("#record-form")
    form.locator("select[name=way]").select_option(label="信函")
    form.locator("input[name=staff_name]").fill("个险部 李专员")
    form.locator("input[name=reached_name]").fill("自访客户00")
    form.locator("select[name=result]").select_option(label="已完成（客户确认回访事项）")
    form.locator("input[name=receipt]").set_input_files(str(fake))
    page.get_by_role("button", name="保存登记").click()
    expect(page.locator(".flash.error")).to_contain_text("只接受照片（JPEG 或 PNG 格式）或 PDF 文件")
    shots(page, "refused")
    with site.db.session() as s:
        assert s.scalars(select(FollowUp)).all() == [] and s.get_one(Task, task).status == U

    form.locator("input[name=receipt]").set_input_files(str(pdf))  # what was typed is kept
    expect(form.locator("input[name=staff_name]")).to_have_value("个险部 李专员")
    page.get_by_role("button", name="保存登记").click()
    expect(page.locator(".flash.ok")).to_contain_text("任务已完成")
    with page.expect_download() as got:
        page.locator("#receipt-download").click()
    assert Path(got.value.path()).read_bytes() == pdf.read_bytes()
    shots(page, "pdf-recorded")
