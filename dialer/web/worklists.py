"""The work lists: problem cases, callbacks and tasks, described once for the shared list helper."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, or_, select

from dialer.model import Attempt, Callback, CaseStatus, Customer, Escalation, ProblemCase, Task
from dialer.web.helpers import SECONDS, can, local_time, person, show_phone, user
from dialer.web.lists import COMMON, Column, ListSpec, Query, agent_id, by_choice, by_dates, by_task
from dialer.web.words import CASE_STATUSES, TASK_STATUSES, word

CASE_VIEWS = {"open": "全部未结", "unassigned": "待领取", "mine": "我的", "closed": "已关闭", "all": "全部"}
CALLBACK_STATUSES = {"open": "待回拨", "done": "已完成"}


def _customer_search(q: Query, f: Mapping[str, str]) -> Query:
    text = f.get("customer", "")
    if not text:
        return q
    return q.where(
        or_(Customer.name.contains(text, autoescape=True), Customer.phone.contains(text, autoescape=True))
    )


def _cases_query() -> Query:
    return (
        select(ProblemCase, Task, Customer)
        .join(Task, Task.id == ProblemCase.task_id)
        .join(Customer, Customer.id == Task.customer_id)
    )


def _narrow_cases(q: Query, f: Mapping[str, str], errors: list[str]) -> Query:
    view = f.get("view") or "open"
    if view == "mine":
        q = q.where(ProblemCase.assignee_id == user().id, ProblemCase.status != CaseStatus.CLOSED)
    elif view == "unassigned":
        q = q.where(ProblemCase.status == CaseStatus.OPEN)
    elif view == "closed":
        q = q.where(ProblemCase.status == CaseStatus.CLOSED)
    elif view == "open":
        q = q.where(ProblemCase.status != CaseStatus.CLOSED)
    q = by_choice(q, f, errors, "status", ProblemCase.status, CASE_STATUSES, "状态")
    q = _customer_search(by_task(by_dates(q, f, errors, ProblemCase.created_at), f), f)
    who = agent_id(f, errors)
    return q if who is None else q.where(ProblemCase.assignee_id == who)


CASES = ListSpec(
    name="cases", title="问题件", query=_cases_query, fields=("view", "customer", *COMMON),
    narrow=_narrow_cases, defaults={"view": "open"},
    sorts={"created": ProblemCase.created_at, "due": ProblemCase.due_at, "customer": Customer.name,
           "status": ProblemCase.status, "type": Task.type, "department": ProblemCase.department},
    default_sort="created", tiebreak=ProblemCase.id,
    columns=(
        Column("编号", lambda r: r[0].id), Column("创建时间", lambda r: local_time(r[0].created_at, SECONDS)),
        Column("客户", lambda r: r[2].name), Column("电话", lambda r: show_phone(r[2].phone)),
        Column("任务类型", lambda r: word(r[1].type, "task_type")),
        Column("责任部门", lambda r: r[0].department or r[1].department or ""),
        Column("问题", lambda r: r[0].question_text), Column("回答", lambda r: word(r[0].answer_label, "answer")),
        Column("处理人", lambda r: person(r[0].assignee_id, "")),
        Column("状态", lambda r: word(r[0].status, "case_status")),
        Column("截止时间", lambda r: local_time(r[0].due_at)), Column("处理结果", lambda r: r[0].resolution or ""),
        Column("问题原因", lambda r: r[0].cause or ""), Column("关闭时间", lambda r: local_time(r[0].closed_at)),
    ),
)  # fmt: skip


def _callbacks_query() -> Query:
    return (
        select(Callback, Task, Customer)
        .join(Task, Task.id == Callback.task_id)
        .join(Customer, Customer.id == Task.customer_id)
    )


def _narrow_callbacks(q: Query, f: Mapping[str, str], errors: list[str]) -> Query:
    # Agents see what they owe and what nobody has taken; supervisors may look at everyone's.
    if f.get("view") != "all" or not can("supervise"):
        q = q.where(or_(Callback.assignee_id == user().id, Callback.assignee_id.is_(None)))
    q = by_choice(q, f, errors, "status", Callback.status, CALLBACK_STATUSES, "状态")
    q = _customer_search(by_task(by_dates(q, f, errors, Callback.due_at), f), f)
    who = agent_id(f, errors)
    return q if who is None else q.where(Callback.assignee_id == who)


CALLBACKS = ListSpec(
    name="callbacks", title="回拨", query=_callbacks_query, fields=("view", "customer", *COMMON),
    narrow=_narrow_callbacks, defaults={"status": "open", "view": "mine"},
    sorts={"due": Callback.due_at, "customer": Customer.name, "type": Task.type, "done": Callback.done_at},
    default_sort="due", tiebreak=Callback.id,
    columns=(
        Column("编号", lambda r: r[0].id), Column("计划日期", lambda r: local_time(r[0].due_at, "%Y-%m-%d")),
        Column("客户", lambda r: r[2].name), Column("电话", lambda r: show_phone(r[2].phone)),
        Column("任务类型", lambda r: word(r[1].type, "task_type")), Column("部门", lambda r: r[1].department or ""),
        Column("原因", lambda r: r[0].reason), Column("负责人", lambda r: person(r[0].assignee_id, "未分配")),
        Column("状态", lambda r: CALLBACK_STATUSES.get(r[0].status, r[0].status)),
        Column("完成时间", lambda r: local_time(r[0].done_at)), Column("回拨结果", lambda r: r[0].note or ""),
        Column("关联问题件", lambda r: r[0].problem_case_id or ""),
    ),
)  # fmt: skip


def _tasks_query() -> Query:
    return select(Task, Customer).join(Customer, Customer.id == Task.customer_id)


def _narrow_tasks(q: Query, f: Mapping[str, str], errors: list[str]) -> Query:
    q = by_choice(q, f, errors, "status", Task.status, TASK_STATUSES, "状态")
    q = _customer_search(by_task(by_dates(q, f, errors, Task.earliest_at), f), f)
    who = agent_id(f, errors)
    if who is not None:  # tasks with a call the agent took over
        took = (
            select(Attempt.id)
            .join(Escalation, Escalation.attempt_id == Attempt.id)
            .where(Attempt.task_id == Task.id, Escalation.agent_id == who)
        )
        q = q.where(exists(took))
    return q


TASKS = ListSpec(
    name="tasks", title="回访任务", query=_tasks_query, fields=("customer", *COMMON), narrow=_narrow_tasks,
    sorts={"earliest": Task.earliest_at, "deadline": Task.deadline_at, "customer": Customer.name,
           "status": Task.status, "type": Task.type, "attempts": Task.attempt_count},
    default_sort="earliest", tiebreak=Task.id,
    columns=(
        Column("任务编号", lambda r: r[0].id), Column("客户", lambda r: r[1].name),
        Column("电话", lambda r: show_phone(r[1].phone)), Column("任务类型", lambda r: word(r[0].type, "task_type")),
        Column("话术", lambda r: word(r[0].script, "script")), Column("部门", lambda r: r[0].department or ""),
        Column("业务员", lambda r: r[0].seller or ""), Column("首次允许拨打", lambda r: local_time(r[0].earliest_at)),
        Column("截止时间", lambda r: local_time(r[0].deadline_at)), Column("已拨次数", lambda r: r[0].attempt_count),
        Column("状态", lambda r: word(r[0].status, "task_status")),
    ),
)  # fmt: skip
