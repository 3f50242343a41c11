"""The 机构自访 queue: tasks the phone could not reach, each one's follow-ups, and the signed receipts.

Agents of the task's department and supervisors record a follow-up (way, day, who, whom, result) with its
receipt (回执: a photo or PDF, checked by content, kept with its SHA-256 in the recordings store). A completed
one closes the task. Every view of a follow-up or its receipt is audited; the receipt is served only while its
checksum still matches.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from dialer.model import Customer, FollowUp, Role, Task, TaskStatus
from dialer.model import followups as fu
from dialer.model.states import FollowUpResult, FollowUpWay, labels_by_word
from dialer.reports.month import Month
from dialer.services import services
from dialer.storage import StoreError
from dialer.storage.receipts import Checked, ReceiptError, check_receipt, read_checked, receipt_key
from dialer.web.files import stores
from dialer.web.helpers import audit, can, db, found_or_404, local_time, now, requires, show_phone, user
from dialer.web.lists import (
    COMMON,
    Column,
    ListSpec,
    Query,
    by_dates,
    by_task,
    export,
    open_list,
    options,
    wants_export,
)
from dialer.web.words import word

log = logging.getLogger(__name__)
bp = Blueprint("followups", __name__, url_prefix="/followups")
WAYS = labels_by_word(FollowUpWay)
RESULTS = labels_by_word(FollowUpResult)
QUEUE_STATUSES = {"open": "待机构自访（未完成）", "waiting": "尚未自访", "trying": "已自访未完成",
                  "done": "已机构自访", "all": "全部"}  # fmt: skip
SHARE_MONTHS = 3  # months of the 10% share shown on the queue page: this one and the two before


def _tries() -> Query:
    return (
        select(func.count(FollowUp.id)).where(FollowUp.task_id == Task.id).correlate(Task).scalar_subquery()
    )


def _last_done() -> Query:
    return (
        select(func.max(FollowUp.done_on))
        .where(FollowUp.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )


def _queue_query() -> Query:
    return (
        select(Task, Customer, _tries().label("tries"), _last_done().label("last_done"))
        .join(Customer, Customer.id == Task.customer_id)
        .where(Task.status.in_((TaskStatus.UNREACHABLE, TaskStatus.FOLLOWED_UP)))
    )


def _narrow(q: Query, f: Mapping[str, str], errors: list[str]) -> Query:
    status = f.get("status") or "open"
    if status not in QUEUE_STATUSES:
        errors.append(f"状态“{status}”不存在，请从下拉列表中选择。")
    elif status == "open":
        q = q.where(Task.status == TaskStatus.UNREACHABLE)
    elif status == "waiting":
        q = q.where(Task.status == TaskStatus.UNREACHABLE, _tries() == 0)
    elif status == "trying":
        q = q.where(Task.status == TaskStatus.UNREACHABLE, _tries() > 0)
    elif status == "done":
        q = q.where(Task.status == TaskStatus.FOLLOWED_UP)
    text = f.get("customer", "")
    if text:
        q = q.where(
            or_(Customer.name.contains(text, autoescape=True), Customer.phone.contains(text, autoescape=True))
        )
    return by_task(by_dates(q, f, errors, Task.earliest_at), f)


QUEUE = ListSpec(
    name="followups", title="机构自访", query=_queue_query, fields=("customer", *COMMON[:4], "status"),
    narrow=_narrow, defaults={"status": "open"},
    sorts={"earliest": Task.earliest_at, "deadline": Task.deadline_at, "customer": Customer.name,
           "type": Task.type, "department": Task.department, "tries": _tries(), "last": _last_done()},
    default_sort="earliest", tiebreak=Task.id,
    columns=(
        Column("任务编号", lambda r: r[0].id), Column("客户", lambda r: r[1].name),
        Column("电话", lambda r: show_phone(r[1].phone)), Column("任务类型", lambda r: word(r[0].type, "task_type")),
        Column("部门", lambda r: r[0].department or ""), Column("应回访日期", lambda r: local_time(r[0].earliest_at)),
        Column("截止时间", lambda r: local_time(r[0].deadline_at)), Column("已拨次数", lambda r: r[0].attempt_count),
        Column("任务状态", lambda r: word(r[0].status, "task_status")), Column("自访次数", lambda r: r[2]),
        Column("最近自访日期", lambda r: r[3].strftime("%Y-%m-%d") if r[3] else ""),
    ),
)  # fmt: skip


def _months() -> list[tuple[str, datetime, datetime]]:
    tz = services().settings.tz
    m = Month.containing(now(), tz)
    out = []
    for _ in range(SHARE_MONTHS):
        out.append((str(m), m.start(tz), m.end(tz)))
        m = m.previous()
    return out


@bp.get("")
@requires("followups")
def queue() -> str | Response:
    """Show the unreachable tasks waiting for a manual follow-up, and each type's share against the 10% limit."""
    if wants_export():
        return export(QUEUE)
    lst = open_list(QUEUE)
    shares = fu.shares(db(), _months())
    return render_template("followups.html", lst=lst, rows=lst.rows, opts=options(), statuses=QUEUE_STATUSES,
                           shares=shares, limit=fu.LIMIT)  # fmt: skip


def may_record(task: Task) -> bool:
    """Return whether the signed-in user may record a follow-up of `task`: supervisors, or its department's agents."""
    who = user()
    if can("supervise"):
        return True
    return who.role == Role.AGENT and (not task.department or who.department == task.department)


def _refusal(task: Task) -> str:
    who = user()
    mine = f"您的部门为“{who.department}”" if who.department else "您的账户未设置部门"
    return (f"只有任务所属部门（{task.department}）的回访专员或主管可以登记机构自访；{mine}。"
            "如需登记，请联系主管或系统管理员。")  # fmt: skip


@bp.get("/tasks/<int:task_id>")
@requires("followups", hide=True)
def task(task_id: int) -> str:
    """Show one task's manual follow-up page: the task, its calls, its follow-ups, and the form to record one."""
    t = found_or_404(Task, task_id)
    if t.status not in (TaskStatus.UNREACHABLE, TaskStatus.FOLLOWED_UP) and not fu.of_tasks(db(), [t.id]):
        abort(404)
    return _task_page(t)


def _task_page(t: Task, errors: list[str] | None = None, form: Mapping[str, str] | None = None) -> str:
    settings = services().settings
    return render_template("followup_task.html", task=t, rows=fu.of_tasks(db(), [t.id]), ways=WAYS,
                           results=RESULTS, open=fu.may_follow_up(t), allowed=may_record(t), refusal=_refusal(t),
                           errors=errors or [], form=form or {}, today=now().astimezone(settings.tz).date(),
                           max_mb=settings.receipt_max_mb)  # fmt: skip


def _entry() -> fu.Entry:
    raw = request.form.get("done_on", "").strip()
    try:
        done_on: date | None = date.fromisoformat(raw) if raw else None
    except ValueError:
        done_on = None
    return fu.Entry(way=request.form.get("way", ""), done_on=done_on, staff_name=request.form.get("staff_name", ""),
                    reached_name=request.form.get("reached_name", ""), result=request.form.get("result", ""),
                    note=request.form.get("note", ""))  # fmt: skip


def _back(task_id: int) -> Response:
    return redirect(url_for("followups.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>")
@requires("followups", hide=True)
def save(task_id: int) -> Response | tuple[str, int]:
    """Record a follow-up with its receipt; the file is written first and removed again if nothing is stored."""
    t = found_or_404(Task, task_id)
    settings = services().settings
    today = now().astimezone(settings.tz).date()
    if not may_record(t):
        flash(_refusal(t), "error")
        return _back(t.id)
    if not fu.may_follow_up(t):
        flash("该任务已完成机构自访，不在队列中，不能再登记。", "error")
        return _back(t.id)
    entry = _entry()
    wrong = fu.problems(entry, today)
    upload = request.files.get("receipt")
    if upload is None or not upload.filename:
        wrong.append("请上传签收回执（照片或 PDF）。")
    if wrong:
        return _form_again(t, wrong)
    assert upload is not None
    try:
        data = upload.read(settings.receipt_max_mb * 1048576 + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: let it go now
    try:
        checked = check_receipt(data, settings.receipt_max_mb * 1048576, upload.filename or "")
    except ReceiptError as exc:
        audit("receipt_refused", f"task:{t.id}", file=upload.filename, size=len(data), why=str(exc))
        db().commit()
        return _form_again(t, [str(exc)])
    return _store_and_record(t, entry, upload.filename or "", data, checked)


def _form_again(t: Task, wrong: list[str]) -> tuple[str, int]:
    return _task_page(t, wrong, request.form), 400


def _store_and_record(t: Task, entry: fu.Entry, name: str, data: bytes, checked: Checked) -> Response:
    store = stores().main
    key = receipt_key(checked.sha256, checked.suffix, now().astimezone(services().settings.tz))
    existed = (
        store.stat(key) is not None
    )  # the same file uploaded before: never delete what another row holds
    try:
        store.put(key, data, checked.content_type)
    except StoreError as exc:
        log.error("receipt for task %s could not be stored: %s", t.id, exc)
        flash("回执文件保存失败，本次登记未保存，请稍后重试；如反复出现，请联系系统管理员。", "error")
        return _back(t.id)
    receipt = fu.Receipt(store.name, key, name[:255], checked.content_type, checked.size, checked.sha256)
    try:
        row = fu.record(db(), t, entry, receipt, user().username, now())
        audit("follow_up_recorded", f"follow_up:{row.id}", task=t.id, way=entry.way, result=entry.result,
              file=receipt.name, size=receipt.size, sha256=receipt.sha256)  # fmt: skip
        db().commit()
    except Exception:
        db().rollback()
        if not existed:
            try:
                store.delete(key)  # nothing half-written: no row, so no file
            except StoreError as exc:
                log.error("receipt %s of a follow-up that was not saved could not be removed: %s", key, exc)
        raise
    closed = entry.result == FollowUpResult.COMPLETED
    flash(
        "已登记机构自访，任务已完成（已机构自访）。"
        if closed
        else "已登记机构自访；结果未完成，任务仍在队列中。",
        "ok",
    )
    return redirect(url_for("followups.show", follow_up_id=row.id))


def _checked(row: FollowUp) -> tuple[str, bytes | None]:
    """Return the receipt's state (ok | mismatch | missing) and its bytes."""
    try:
        return read_checked(stores().get(row.receipt_store), row.receipt_path, row.receipt_sha256)
    except StoreError as exc:
        log.warning("receipt of follow-up %s cannot be read: %s", row.id, exc)
        return "missing", None


@bp.get("/<int:follow_up_id>")
@requires("followups", hide=True)
def show(follow_up_id: int) -> str:
    """Show one follow-up with its receipt's checksum checked; the view is audited."""
    row = found_or_404(FollowUp, follow_up_id)
    t = db().get_one(Task, row.task_id)
    state, _data = _checked(row)
    audit("view_follow_up", f"follow_up:{row.id}", task=t.id, sha256=row.receipt_sha256, check=state)
    db().commit()
    return render_template("followup.html", row=row, task=t, state=state, ways=WAYS, results=RESULTS)


@bp.get("/<int:follow_up_id>/receipt")
@requires("followups", hide=True)
def receipt(follow_up_id: int) -> Response:
    """Send the receipt: an image inline, a PDF as a download; refused when its checksum no longer matches."""
    row = found_or_404(FollowUp, follow_up_id)
    state, data = _checked(row)
    audit("view_receipt", f"follow_up:{row.id}", task=row.task_id, sha256=row.receipt_sha256, check=state)
    db().commit()
    if state == "missing" or data is None:
        abort(404, "回执文件不在存储中（可能已被删除），请联系系统管理员。")
    if state != "ok":
        abort(409, "回执文件的 SHA-256 与登记时不一致，文件可能已被改动，已拒绝显示。请联系系统管理员核查。")
    resp = Response(data, mimetype=row.receipt_type)
    suffix = {"image/jpeg": ".jpg", "image/png": ".png"}.get(row.receipt_type, ".pdf")
    name = f"receipt-{row.id}{suffix}"
    kind = "inline" if row.receipt_type.startswith("image/") else "attachment"
    resp.headers["Content-Disposition"] = f'{kind}; filename="{name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.set_etag(row.receipt_sha256)
    return resp
