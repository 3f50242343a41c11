"""The agent's answer form: the open items of an escalated call or a callback, recorded 是 / 否 / 未能确认.

The page shows each required item not yet answered 是/否 in the words the customer heard, and every answer
so far with who recorded it (the robot or which agent) and when. Saving files a problem case for a bad answer
(the robot's rule) and lets the answers decide the call and the task; 未能确认 leaves the item open.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.errors import ScriptError
from dialer.ivr.items import Standing, call_context, standing
from dialer.ivr.script import Script
from dialer.model import Attempt, Callback, Escalation, Role, Task, User
from dialer.model.answers import AGENT_CHOICES, AgentAnswer, record_agent_answers
from dialer.model.calls import Answer
from dialer.model.outcomes import settle_by_verdict
from dialer.policy.verdicts import Verdict
from dialer.services import services
from dialer.web.helpers import audit, db, found_or_404, now, requires, user
from dialer.web.words import script_name

bp = Blueprint("answers", __name__)
NOTE_MAX = 500
ROBOT = "机器人（自动语音）"
SAVED = {
    Verdict.SUCCEEDED: "回答已保存：所有必答问题均已得到客户确认，本次回访成功。",
    Verdict.PROBLEM: "回答已保存：有问题件，已转入问题件队列处理。",
    Verdict.OPEN: "回答已保存：仍有 {n} 个问题未得到确认，任务将按回访规则继续（回拨或再次拨打）。",
}


@dataclass(frozen=True)
class Subject:
    """What the form is about: the call its answers are recorded on, and where the page lives."""

    attempt: Attempt
    task: Task
    page: str  # this page's address
    save: str  # where the form posts
    target: str  # the audit entry's target
    escalation: Escalation | None = None
    callback: Callback | None = None


def _mine_or_free(owner_id: int | None) -> None:
    """Refuse (as not found) an item another agent owns; supervisors and admins may record on any."""
    me = user()
    if Role(me.role) == Role.AGENT and owner_id not in (None, me.id):
        abort(404)


def _escalation(escalation_id: int) -> Subject:
    esc = found_or_404(Escalation, escalation_id)
    _mine_or_free(esc.agent_id)
    attempt = db().get_one(Attempt, esc.attempt_id)
    return Subject(attempt, attempt.task, url_for("answers.escalation", escalation_id=esc.id),
                   url_for("answers.save_escalation", escalation_id=esc.id), f"escalation:{esc.id}",
                   escalation=esc)  # fmt: skip


def _callback(callback_id: int) -> Subject:
    cb = found_or_404(Callback, callback_id)
    _mine_or_free(cb.assignee_id)
    task = db().get_one(Task, cb.task_id)
    attempt = (
        db().get(Attempt, cb.attempt_id) if cb.attempt_id else (task.attempts[-1] if task.attempts else None)
    )
    if attempt is None:
        abort(404)  # a callback with no call behind it has no script to ask from
    return Subject(attempt, task, url_for("answers.callback", callback_id=cb.id),
                   url_for("answers.save_callback", callback_id=cb.id), f"callback:{cb.id}", callback=cb)  # fmt: skip


def _script(subject: Subject) -> Script | None:
    try:
        return services().scripts.heard_on(db(), subject.attempt)
    except ScriptError:
        return None


def _standing(subject: Subject, script: Script) -> Standing:
    svc = services()
    ctx = call_context(svc.settings, svc.task_types, subject.task, now())
    return standing(db(), script, ctx, subject.task)


def _page(subject: Subject, **extra: object) -> str:
    script = _script(subject)
    found = _standing(subject, script) if script else None
    answers = db().scalars(
        select(Answer).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.task_id == subject.task.id, Answer.final.is_(True)).order_by(Answer.created_at, Answer.id)
    ).all()  # fmt: skip
    names = {u.id: u.display_name or u.username for u in db().scalars(select(User))}
    return render_template("answers.html", s=subject, script=script, standing=found, answers=answers,
                           names=names, robot=ROBOT, choices=AGENT_CHOICES, **extra)  # fmt: skip


def _chosen(found: Standing) -> tuple[list[AgentAnswer], list[str]]:
    """Return the answers the form carries for the open items, and what is wrong with it."""
    chosen, errors = [], []
    for n, item in enumerate(found.open, start=1):
        value = request.form.get(f"answer-{item.question.id}", "").strip()
        if not value:
            continue
        if value not in AGENT_CHOICES:
            errors.append(f"第 {n} 题的回答“{value}”无效：请选择“是”“否”或“未能确认”。")
            continue
        note = request.form.get(f"note-{item.question.id}", "").strip()[:NOTE_MAX]
        bad = value == item.question.bad_answer
        chosen.append(AgentAnswer(item.question.id, item.text, value, bad, note))
    if not chosen and not errors:
        errors.append("没有选择任何回答：请至少为一个问题选择“是”“否”或“未能确认”后再保存。")
    return chosen, errors


def _save(subject: Subject) -> Response:
    script = _script(subject)
    if script is None:
        flash(
            f"找不到本次通话所用的话术（{script_name(subject.attempt.script)}），无法记录回答。请联系主管检查话术。",
            "error",
        )
        return redirect(subject.page)
    chosen, errors = _chosen(_standing(subject, script))
    if errors:
        for e in errors:
            flash(e, "error")
        return redirect(subject.page)
    svc, at = services(), now()
    record_agent_answers(db(), subject.attempt, chosen, user().id, at, svc.dial_rules.calendar, svc.settings)
    found = _standing(subject, script)
    settle_by_verdict(subject.attempt, found.verdict, at)
    audit("record_answers", subject.target, attempt=subject.attempt.id, task=subject.task.id,
          answers={a.question_id: a.label for a in chosen}, verdict=str(found.verdict))  # fmt: skip
    db().commit()
    flash(SAVED[found.verdict].format(n=len(found.open)), "ok")
    return redirect(subject.page)


@bp.get("/escalations/<int:escalation_id>")
@requires("board", hide=True)
def escalation(escalation_id: int) -> str:
    """Show an escalated call, live or finished: its answers so far and the open questions to record."""
    return _page(_escalation(escalation_id))


@bp.post("/escalations/<int:escalation_id>/answers")
@requires("board", hide=True)
def save_escalation(escalation_id: int) -> Response:
    """Record the customer's answers to the open questions, as told to the agent on this call."""
    return _save(_escalation(escalation_id))


@bp.get("/callbacks/<int:callback_id>")
@requires("callbacks", hide=True)
def callback(callback_id: int) -> str:
    """Show a callback: the task's answers so far and the open questions to record while calling back."""
    return _page(_callback(callback_id))


@bp.post("/callbacks/<int:callback_id>/answers")
@requires("callbacks", hide=True)
def save_callback(callback_id: int) -> Response:
    """Record the customer's answers to the open questions, as told to the agent on the callback."""
    return _save(_callback(callback_id))
