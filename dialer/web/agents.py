"""Agents' pages: the live board of waiting callers, the problem-case queue and my callbacks."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from dialer.holidays import load_work_calendar
from dialer.model import (
    Answer,
    Attempt,
    Callback,
    CaseNote,
    CaseStatus,
    Escalation,
    ProblemCase,
    Recording,
    Role,
    Task,
    User,
)
from dialer.model.states import ESCALATIONS_ACTIVE, ESCALATIONS_FINISHED, EscalationStatus
from dialer.services import services
from dialer.web.files import locate, stores, stream
from dialer.web.helpers import audit, can, db, found_or_404, now, person, requires, user
from dialer.web.lists import export, open_list, options, wants_export
from dialer.web.sla import SlaClock, sla_clock
from dialer.web.words import CASE_STATUSES
from dialer.web.worklists import CALLBACK_STATUSES, CALLBACKS, CASE_VIEWS, CASES

bp = Blueprint("agents", __name__)
LIVE = ESCALATIONS_ACTIVE
RECENT = 20  # my finished escalated calls the board lists, newest first
CASE_WORKERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
CAUSES = ("销售误导", "客户理解偏差", "信息录入错误", "客户已知悉无异议", "服务质量问题", "其他")


def _board_rows(s: Session) -> list[tuple[Escalation, Task]]:
    q = (
        select(Escalation, Task)
        .join(Attempt, Attempt.id == Escalation.attempt_id)
        .join(Task, Task.id == Attempt.task_id)
        .where(Escalation.status.in_(LIVE))
        .order_by(Escalation.enqueued_at, Escalation.id)
    )
    return [(e, t) for e, t in s.execute(q)]


def _board_context() -> dict[str, object]:
    rows = _board_rows(db())
    agents = {u.id: u for u in db().scalars(select(User).where(User.id.in_({e.agent_id for e, _ in rows})))}
    return {"rows": rows, "agents": agents, "now": now()}


@bp.get("/board")
@requires("board")
def board() -> str:
    """Show the callers waiting for a person, and my finished calls whose answers may still be recorded."""
    q = (
        select(Escalation, Task)
        .join(Attempt, Attempt.id == Escalation.attempt_id)
        .join(Task, Task.id == Attempt.task_id)
        .where(Escalation.agent_id == user().id, Escalation.status.in_(ESCALATIONS_FINISHED))
        .order_by(Escalation.id.desc())
        .limit(RECENT)
    )
    return render_template("board.html", recent=list(db().execute(q)), **_board_context())


@bp.get("/board/rows")
@requires("board")
def board_rows() -> str:
    """Return the board's table body alone, for the auto-refresh."""
    return render_template("_board_rows.html", **_board_context())


@bp.post("/board/<int:escalation_id>/take")
@requires("board")
def take(escalation_id: int) -> Response:
    """Ask for this caller to be bridged to my phone. The scheduler dials; the web only records intent."""
    me = user()
    if not me.phone:
        flash("您的账户未登记电话号码，无法接听。请联系系统管理员登记。", "error")
        return redirect(url_for("agents.board"))
    # A conditional update: of two agents clicking at once, exactly one wins.
    won = db().execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == EscalationStatus.WAITING)
        .values(status=EscalationStatus.AGENT_REQUESTED, agent_id=me.id, agent_phone=me.phone)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        db().rollback()
        flash("该来电已被其他专员接听或已结束。", "error")
        return redirect(url_for("agents.board"))
    audit("take_call", f"escalation:{escalation_id}", agent_phone=me.phone)
    db().commit()
    flash("已请求接听：系统正在呼叫您的电话，接起后将与客户接通。", "ok")
    return redirect(url_for("agents.board"))


def _clock(case: ProblemCase) -> SlaClock:
    svc = services()
    if "work_calendar" not in g:  # read once per request, not once per row of the list
        g.work_calendar = load_work_calendar(svc.settings.config_dir)
    calendar = g.work_calendar
    return sla_clock(case.created_at, case.due_at, svc.settings.problem_sla_working_days, calendar, now(),
                     svc.settings.tz)  # fmt: skip


@bp.get("/cases")
@requires("cases")
def cases() -> str | Response:
    """Show the problem cases, filtered, sorted and a page at a time; or export them all to Excel."""
    if wants_export():
        return export(CASES)
    lst = open_list(CASES)
    rows = [(c, t, cu, _clock(c)) for c, t, cu in lst.rows]
    return render_template("cases.html", lst=lst, rows=rows, view=lst.f.get("view"), opts=options(),
                           views=CASE_VIEWS, statuses=CASE_STATUSES,
                           sla_days=services().settings.problem_sla_working_days)  # fmt: skip


def _case(case_id: int) -> ProblemCase:
    return found_or_404(ProblemCase, case_id)


def _changeable(case_id: int) -> ProblemCase | None:
    """Return the case if the signed-in user may change it; else flash why and return None.

    Only the assignee or a supervisor changes a case. An agent who works an unassigned case takes it.
    """
    c = _case(case_id)
    me = user()
    if c.status == CaseStatus.CLOSED:
        flash("该问题件已关闭，不能再修改。如需继续处理，请主管重新打开。", "error")
        return None
    if c.assignee_id in (None, me.id) or can("supervise"):
        if c.assignee_id is None:
            c.assignee_id, c.status = me.id, CaseStatus.ASSIGNED
        return c
    flash(
        f"该问题件由{person(c.assignee_id)}处理，只有处理人或主管可以修改。如需接手，请联系主管改派。",
        "error",
    )
    return None


def _back(case_id: int) -> Response:
    return redirect(url_for("agents.case", case_id=case_id))


@bp.get("/cases/<int:case_id>")
@requires("cases")
def case(case_id: int) -> str:
    """Show one problem case: the question, the answer and its clip, notes, callbacks and the SLA clock."""
    c = _case(case_id)
    task = db().get_one(Task, c.task_id)
    callbacks = db().scalars(select(Callback).where(Callback.problem_case_id == c.id).order_by(Callback.id))
    answer = db().get(Answer, c.answer_id) if c.answer_id else None
    workers = db().scalars(select(User).where(User.role.in_(CASE_WORKERS), User.active.is_(True)))
    return render_template("case.html", case=c, task=task, clock=_clock(c), callbacks=list(callbacks),
                           causes=CAUSES, clip=answer.clip_id if answer else None, workers=list(workers))  # fmt: skip


@bp.get("/cases/<int:case_id>/clip")
@requires("cases", hide=True)
def clip(case_id: int) -> Response:
    """Play the customer's answer clip that made the case, for whoever works it. Each request is logged."""
    c = _case(case_id)
    answer = db().get(Answer, c.answer_id) if c.answer_id else None
    rec = db().get(Recording, answer.clip_id) if answer and answer.clip_id else None
    found = None if rec is None else locate(rec, stores())
    if rec is None or found is None:
        abort(404)
    audit("replay", f"recording:{rec.id}", attempt=rec.attempt_id, kind=rec.kind, case=c.id,
          range=request.headers.get("Range", ""))  # fmt: skip
    db().commit()
    return stream(found, rec.sha256)


@bp.post("/cases/<int:case_id>/assign")
@requires("cases")
def assign(case_id: int) -> Response:
    """Take an unassigned case; a case someone else works is reassigned only by a supervisor."""
    c = _case(case_id)
    if c.status == CaseStatus.CLOSED:
        flash("该问题件已关闭。", "error")
    elif c.assignee_id not in (None, user().id) and not can("supervise"):
        flash(f"该问题件已由{person(c.assignee_id)}处理。如需接手，请联系主管改派。", "error")
    else:
        before = c.assignee_id
        c.assignee_id, c.status = user().id, CaseStatus.ASSIGNED
        audit("case_assign", f"case:{c.id}", **({"from": person(before)} if before else {}))
        db().commit()
        flash("问题件已分配给您。", "ok")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/reassign")
@requires("supervise")
def reassign(case_id: int) -> Response:
    """Assign or reassign the case to an agent (supervisors)."""
    c = _case(case_id)
    raw = request.form.get("assignee", "")
    to = db().get(User, int(raw)) if raw.isdigit() else None
    if c.status == CaseStatus.CLOSED:
        flash("该问题件已关闭，请先重新打开再改派。", "error")
    elif to is None or not to.active or to.role not in CASE_WORKERS:
        flash("请从列表中选择一位在岗的回访专员或主管。", "error")
    elif to.id != c.assignee_id:
        before = c.assignee_id
        c.assignee_id, c.status = to.id, CaseStatus.ASSIGNED
        audit(
            "case_reassign", f"case:{c.id}", to=person(to.id), **({"from": person(before)} if before else {})
        )
        db().commit()
        flash(f"问题件已改派给{person(to.id)}。", "ok")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/reopen")
@requires("supervise")
def reopen(case_id: int) -> Response:
    """Reopen a closed case, with the reason written on it (supervisors)."""
    c = _case(case_id)
    reason = request.form.get("reason", "").strip()
    if c.status != CaseStatus.CLOSED:
        flash("该问题件尚未关闭，无需重新打开。", "error")
    elif not reason:
        flash("请填写重新打开的原因。", "error")
    else:
        c.status = CaseStatus.ASSIGNED if c.assignee_id else CaseStatus.OPEN
        c.closed_at, c.cause = None, None
        c.notes.append(CaseNote(author_id=user().id, body=f"重新打开：{reason[:2000]}"))
        audit("case_reopen", f"case:{c.id}", reason=reason[:2000])
        db().commit()
        flash("问题件已重新打开。", "ok")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/note")
@requires("cases")
def note(case_id: int) -> Response:
    """Add a note to the case."""
    body = request.form.get("body", "").strip()
    if not body:
        flash("备注内容不能为空。", "error")
        return _back(case_id)
    c = _changeable(case_id)
    if c is not None:
        c.notes.append(CaseNote(author_id=user().id, body=body[:4000]))
        audit("case_note", f"case:{c.id}")
        db().commit()
        flash("备注已保存。", "ok")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/resolution")
@requires("cases")
def resolution(case_id: int) -> Response:
    """Save the resolution text."""
    c = _changeable(case_id)
    if c is not None:
        c.resolution = request.form.get("resolution", "").strip()[:4000]
        audit("case_resolution", f"case:{c.id}")
        db().commit()
        flash("处理结果已保存。", "ok")
    return _back(case_id)


def _local_date(field: str) -> datetime | None:
    raw = request.form.get(field, "")
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time(18), services().settings.tz)


@bp.post("/cases/<int:case_id>/callback")
@requires("cases")
def schedule_callback(case_id: int) -> Response:
    """Schedule a second callback to the customer, owed by me."""
    due = _local_date("due")
    if due is None or due < now() - timedelta(days=1):
        flash("请填写有效的回拨日期（今天或以后，格式 年-月-日）。", "error")
        return _back(case_id)
    c = _changeable(case_id)
    if c is None:
        return _back(case_id)
    reason = request.form.get("reason", "").strip() or "问题件二次回访"
    cb = Callback(task_id=c.task_id, attempt_id=c.attempt_id, problem_case_id=c.id, reason=reason[:200],
                  assignee_id=user().id, due_at=due)  # fmt: skip
    db().add(cb)
    db().flush()
    audit("callback_schedule", f"case:{c.id}", callback=cb.id, due=due.date().isoformat())
    db().commit()
    flash("已安排二次回访，见“我的回拨”。", "ok")
    return redirect(url_for("agents.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/close")
@requires("cases")
def close(case_id: int) -> Response:
    """Close the case with a cause; the resolution typed in the same form is kept, whatever happens."""
    c = _changeable(case_id)
    if c is None:
        return _back(case_id)
    typed = request.form.get("resolution", "").strip()[:4000]
    if typed and typed != (c.resolution or ""):
        c.resolution = typed  # kept even when the close is refused below
        audit("case_resolution", f"case:{c.id}")
    cause = request.form.get("cause", "").strip()
    if cause not in CAUSES or not c.resolution:
        db().commit()
        flash("关闭前请填写处理结果并选择问题原因。" + ("已填写的处理结果已保存。" if typed else ""), "error")
        return _back(case_id)
    c.cause, c.status, c.closed_at = cause, CaseStatus.CLOSED, now()
    audit("case_close", f"case:{c.id}", cause=cause)
    db().commit()
    flash("问题件已关闭。", "ok")
    return _back(case_id)


@bp.get("/callbacks")
@requires("callbacks")
def callbacks() -> str | Response:
    """Show the callbacks I owe, soonest first, and the ones nobody has taken; or export them to Excel."""
    if wants_export():
        return export(CALLBACKS)
    lst = open_list(CALLBACKS)
    return render_template("callbacks.html", lst=lst, rows=lst.rows, now=now(), opts=options(),
                           statuses=CALLBACK_STATUSES)  # fmt: skip


@bp.post("/callbacks/<int:callback_id>/done")
@requires("callbacks")
def callback_done(callback_id: int) -> Response:
    """Mark a callback as made, with a note."""
    cb = db().get(Callback, callback_id)
    if cb is None or cb.status != "open" or cb.assignee_id not in (None, user().id):
        abort(404)
    cb.status, cb.done_at, cb.assignee_id = "done", now(), user().id
    cb.note = request.form.get("note", "").strip()[:2000] or None
    audit("callback_done", f"callback:{cb.id}")
    db().commit()
    flash("已标记为完成。", "ok")
    return redirect(url_for("agents.callbacks"))
