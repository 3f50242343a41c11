"""An agent takes a caller the robot handed over, records the open answers on the page (one 否), and the task
ends as a problem case with the agent named on each answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select, update

from dialer.model import Answer, Attempt, Escalation, ProblemCase, Task, TaskStatus
from tests.browser.conftest import Shots, Site, sign_in
from tests.web.handover import copy_scripts, seed_handover
from tests.web.seed import NOW, PASSWORD

pytestmark = pytest.mark.browser
BAD_ON_YES = ("no_kickback", "no_extra_promise")  # a kickback, a promise of extra returns: 否 is good


def _answer_all(form: Locator, no: str = "") -> None:
    """Tick every open question's good answer, and 否 for `no`."""
    questions = form.locator("tr[data-question]")
    for i in range(questions.count()):
        q = questions.nth(i)
        name = q.get_attribute("data-question")
        q.get_by_label("否" if name in BAD_ON_YES or name == no else "是", exact=True).check()


def _set(site: Site, model: type, row_id: int, **values: object) -> None:
    with site.db.session() as s, s.begin():
        s.execute(update(model).where(model.id == row_id).values(**values))  # type: ignore[attr-defined]


def test_an_agent_records_the_open_answers_and_one_no_makes_a_problem_case(
    page: Page, site: Site, shots: Shots
) -> None:
    copy_scripts(site.root.parent / "scripts")
    handed = seed_handover(site.db, None, live=True)
    _set(site, Escalation, handed.escalation, status="waiting")  # the caller waits for a person
    sign_in(page, site, "li_agent", PASSWORD)
    row = page.locator(f"#board tr[data-escalation='{handed.escalation}']")
    expect(row).to_contain_text("王芳")
    row.get_by_role("button", name="接听").click()
    expect(page.locator(".flash.ok")).to_contain_text("已请求接听")
    _set(site, Escalation, handed.escalation, status="bridged")  # the agent's phone rang and was answered
    row.get_by_role("link", name="记录回答").click()
    form = page.locator("#open-items")
    expect(form).to_contain_text("请问投保单和相关文件上，都是您本人亲笔签名的吗？")
    expect(form).to_contain_text("您的保单有15天的犹豫期")  # the script's words, filled as the customer heard
    expect(form).not_to_contain_text("请问这份保险是您本人亲自投保的吗？")  # answered 是 to the robot
    shots(page, "open-items")

    # While talking: the first six items.
    first = form.locator("tr[data-question]")
    for i in range(6):
        first.nth(i).get_by_label("是", exact=True).check()
    form.get_by_role("button", name="保存回答").click()
    expect(page.locator(".flash.ok")).to_contain_text("仍有 7 个问题未得到确认")

    # The call ends with seven items open; the agent finishes from the board's list of her calls.
    _set(site, Escalation, handed.escalation, status="ended", ended_at=NOW)
    _set(site, Attempt, handed.attempt, status="completed", outcome="open", ended_at=NOW)
    _set(site, Task, handed.task, status="pending", next_attempt_at=NOW)
    page.get_by_role("link", name="等待接听").first.click()
    page.locator(f"#my-calls tr[data-escalation='{handed.escalation}']").get_by_role(
        "link", name="记录回答"
    ).click()
    form = page.locator("#open-items")
    _answer_all(form, no="cooling_off")
    form.locator("input[name='note-cooling_off']").fill("客户表示不知道有犹豫期")
    form.get_by_role("button", name="保存回答").click()
    expect(page.locator(".flash.ok")).to_contain_text("问题件")
    expect(page.locator("#open-items")).to_contain_text("无需补录")
    expect(page.locator("#task-status")).to_contain_text("问题件")
    expect(page.locator("#answers")).to_contain_text("客户表示不知道有犹豫期")
    expect(page.locator("#answers .recorded-by", has_text="李专员")).to_have_count(13)
    shots(page, "answers-recorded")

    with site.db.session() as s:
        task, attempt = s.get_one(Task, handed.task), s.get_one(Attempt, handed.attempt)
        agent = site.seeded.users["agent"]
        mine = s.scalars(select(Answer).where(Answer.recorded_by_id == agent)).all()
        [case] = s.scalars(select(ProblemCase).where(ProblemCase.task_id == handed.task)).all()
        assert (task.status, attempt.outcome) == (TaskStatus.PROBLEM, "problem")
        assert len(mine) == 13 and all(a.created_at == NOW for a in mine)
        assert (case.question_id, case.answer_label) == ("cooling_off", "no") and case.answer in mine
