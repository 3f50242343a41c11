"""Click-to-call (拨打): an agent asks for a call to a customer, and follows it beside the answer form.

Pressing 拨打 checks who may call (the assignee, or a supervisor), that a calling window is open on a working
day (the scheduler's own rules), that the agent has a phone to be rung on, and that no other call to the task
is on; then it writes the request and its attempt and audits it. The page never dials: the scheduler's worker
rings the agent, then the customer (see `dialer.worker.dials`). The call's page shows its progress, refreshing
itself, and the answer form for the task's open items; the customer's phone stays masked.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.errors import SettingsError
from dialer.holidays import load_work_calendar
from dialer.model import Attempt, Callback, CaseStatus, ProblemCase, Task
from dialer.model.dials import AgentDial, DialRefused, live_dial_for_task, open_agent_dial
from dialer.model.outcomes import is_opted_out
from dialer.model.states import AgentDialStatus, label
from dialer.policy.agentdial import CallTime, agent_call_time
from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import Reason
from dialer.policy.windows import local
from dialer.services import services
from dialer.web.answers import Subject, _page, _save
from dialer.web.helpers import audit, can, db, found_or_404, now, person, requires, user

bp = Blueprint("dial", __name__)
NO_PHONE = (
    "您的账户没有登记接听电话，系统无法先呼叫您再接通客户。请联系系统管理员为您的账户登记电话号码后再拨打。"
)
CLOSED: dict[str, str] = {
    Reason.QUIET_HOURS: "现在是禁止外呼时段（21:00 至次日 09:00），不能拨打客户电话。",
    Reason.OUTSIDE_WINDOW: "现在不在可拨打时段（{windows}），不能拨打客户电话。",
    Reason.NON_WORKING_DAY: "今天是节假日（非工作日），不进行回访，不能拨打客户电话。",
    Reason.NO_CALENDAR_DATA: "节假日日历缺少今年的数据，为免在节假日打扰客户，暂停一切外呼。请联系系统管理员补充节假日日历。",
}  # fmt: skip
STARTED = "已开始拨打：系统先呼叫您登记的电话，您接起后将为您接通客户。"


def _back(default: str) -> str:
    """Return the page the button was on (a local path only), else `default`."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _closed(when: CallTime) -> str:
    windows = "、".join(str(w) for w in services().dial_rules.windows)
    text = CLOSED.get(when.reason, CLOSED[Reason.OUTSIDE_WINDOW]).format(windows=windows)
    if when.next_open is not None:
        text += f"下一个可拨打时段：{local(when.next_open, services().settings.tz):%Y年%m月%d日 %H:%M} 开始。"
    return text


def _calendar() -> WorkCalendar:
    """Return the calendar as last saved (an admin may have just entered next year's holidays on the console)."""
    try:
        return load_work_calendar(services().settings.config_dir)
    except SettingsError:  # a broken file: the one the service started with still holds
        return services().dial_rules.calendar


def _start(
    task: Task,
    back: str,
    why: str | None,
    *,
    callback: Callback | None = None,
    case: ProblemCase | None = None,
) -> Response:
    """Refuse with `why`, or check and write the request; the worker does the dialling."""
    me, phone = user(), user().phone
    if why or not phone:
        flash(why or NO_PHONE, "error")
        return redirect(back)
    rules = services().dial_rules
    when = agent_call_time(now(), task.customer.timezone, rules.windows, _calendar())
    if not when.ok:
        flash(_closed(when), "error")
        return redirect(back)
    live = live_dial_for_task(db(), task.id)
    if live is not None and (live.agent_id == me.id or can("supervise")):
        flash("这位客户的拨打正在进行，已为您打开通话页面。", "ok")
        return redirect(url_for("dial.page", dial_id=live.id))
    kind = rules.types.get(task.type)
    opted_out = is_opted_out(db(), task) and not (kind is not None and kind.mandatory)
    try:
        dial = open_agent_dial(db(), task, me.id, phone, now(), callback_id=callback.id if callback else None,
                               case_id=case.id if case else None, opted_out=opted_out)  # fmt: skip
    except DialRefused as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(back)
    if callback is not None and callback.assignee_id is None:
        callback.assignee_id = me.id  # an unassigned callback is taken by the agent who calls
    if case is not None and case.assignee_id is None:
        case.assignee_id, case.status = me.id, CaseStatus.ASSIGNED
    audit("agent_dial", f"task:{task.id}", dial=dial.id, attempt=dial.attempt_id,
          **({"callback": callback.id} if callback else {}), **({"case": case.id} if case else {}))  # fmt: skip
    db().commit()
    flash(STARTED, "ok")
    return redirect(url_for("dial.page", dial_id=dial.id))


def _refuse_not_yours(owner_id: int | None) -> str | None:
    """Return why the signed-in user may not call for an item someone else owns (None: they may)."""
    if owner_id in (None, user().id) or can("supervise"):
        return None
    return f"该事项由{person(owner_id)}负责，只有负责人或主管可以拨打。如需接手，请联系主管改派。"


@bp.post("/dial/callback/<int:callback_id>")
@requires("callbacks", hide=True)
def callback(callback_id: int) -> Response:
    """Call the customer of a callback (我的回拨)."""
    cb = found_or_404(Callback, callback_id)
    back = _back(url_for("agents.callbacks"))
    why = _refuse_not_yours(cb.assignee_id) or (None if cb.status == "open" else "该回拨已完成，无需再拨打。")
    return _start(db().get_one(Task, cb.task_id), back, why, callback=cb)


@bp.post("/dial/case/<int:case_id>")
@requires("cases", hide=True)
def case(case_id: int) -> Response:
    """Call the customer of a problem case."""
    c = found_or_404(ProblemCase, case_id)
    back = _back(url_for("agents.case", case_id=c.id))
    closed = "该问题件已关闭，不能再拨打。如需继续处理，请主管重新打开。"
    why = _refuse_not_yours(c.assignee_id) or (closed if c.status == CaseStatus.CLOSED else None)
    return _start(db().get_one(Task, c.task_id), back, why, case=c)


@bp.post("/dial/task/<int:task_id>")
@requires("callbacks", hide=True)
def task(task_id: int) -> Response:
    """Call the customer of a task (a manual follow-up): anyone the task's open work is not assigned elsewhere."""
    t = found_or_404(Task, task_id)
    back = _back(url_for("tasks.task", task_id=t.id))
    owners = set(db().scalars(
        select(Callback.assignee_id).where(Callback.task_id == t.id, Callback.status == "open",
                                           Callback.assignee_id.is_not(None))
    )) | set(db().scalars(
        select(ProblemCase.assignee_id).where(ProblemCase.task_id == t.id, ProblemCase.status != CaseStatus.CLOSED,
                                              ProblemCase.assignee_id.is_not(None))
    ))  # fmt: skip
    others = sorted(o for o in owners if o is not None and o != user().id)
    return _start(t, back, _refuse_not_yours(others[0]) if others else None)


def _dial(dial_id: int) -> AgentDial:
    """Return the call if the signed-in user placed it or supervises; else 404 (ids cannot be probed)."""
    dial = found_or_404(AgentDial, dial_id)
    if dial.agent_id != user().id and not can("supervise"):
        abort(404)
    return dial


def _subject(dial: AgentDial) -> Subject:
    attempt = db().get_one(Attempt, dial.attempt_id)
    cb = db().get(Callback, dial.callback_id) if dial.callback_id else None
    return Subject(attempt, attempt.task, url_for("dial.page", dial_id=dial.id),
                   url_for("dial.save", dial_id=dial.id), f"task:{attempt.task_id}", callback=cb)  # fmt: skip


def progress_context(dial: AgentDial) -> dict[str, object]:
    """Return what the progress panel shows: the step in words, the outcome once ended, whether it is live."""
    attempt = db().get_one(Attempt, dial.attempt_id)
    return {"dial": dial, "attempt": attempt, "step": label(AgentDialStatus(dial.status)),
            "recorded": services().settings.profile.call_recording,
            "line": services().settings.profile.label}  # fmt: skip


@bp.get("/dials/<int:dial_id>")
@requires("callbacks", hide=True)
def page(dial_id: int) -> str:
    """Show the call's progress (refreshing itself) beside the answer form of the task's open items."""
    dial = _dial(dial_id)
    back = url_for("agents.case", case_id=dial.case_id) if dial.case_id else url_for("agents.callbacks")
    return _page(_subject(dial), dial_panel=progress_context(dial), back=back)


@bp.get("/dials/<int:dial_id>/progress")
@requires("callbacks", hide=True)
def progress(dial_id: int) -> str:
    """Return the progress panel alone, for the page's refresh."""
    return render_template("_dial_progress.html", **progress_context(_dial(dial_id)))


@bp.post("/dials/<int:dial_id>/answers")
@requires("callbacks", hide=True)
def save(dial_id: int) -> Response:
    """Record the customer's answers told to the agent on this call."""
    return _save(_subject(_dial(dial_id)))
