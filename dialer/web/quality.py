"""Quality checks (质检): supervisors and compliance draw each month's sample of every agent's calls, listen to
each sampled call and score it on the checklist. Draws and scores are audited."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.errors import DialerError
from dialer.model import Attempt, Task
from dialer.model.quality import QaSample, samples, score
from dialer.reports import Month
from dialer.reports.quality import draw_month, qa_rows
from dialer.services import services
from dialer.web.files import check, stores
from dialer.web.helpers import audit, db, found_or_404, now, requires, user

bp = Blueprint("quality", __name__, url_prefix="/qa")


def _month(text: str | None) -> Month:
    if not text:
        return Month.containing(now(), services().settings.tz)
    return Month.parse(text)


@bp.get("")
@requires("qa")
def page() -> str | tuple[str, int]:
    """Show the month's sample per agent, each call's score, and the button that draws the sample."""
    try:
        m = _month(request.args.get("month"))
    except DialerError as exc:
        flash(str(exc), "error")
        m = Month.containing(now(), services().settings.tz)
    rows = samples(db(), str(m))
    ids = [s.attempt_id for s in rows]
    tasks = (
        {
            a: t
            for a, t in db().execute(
                select(Attempt.id, Task).join(Task, Attempt.task_id == Task.id).where(Attempt.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    settings = services().settings
    return render_template("qa.html", month=m, rows=rows, tasks=tasks, agents=qa_rows(db(), m),
                           per_agent=settings.qa_sample_per_agent, checklist=settings.qa_checklist)  # fmt: skip


@bp.post("/draw")
@requires("qa")
def draw() -> Response:
    """Draw (or draw again) the month's sample of every agent; the same month gives the same calls."""
    try:
        m = Month.parse(request.form.get("month", ""))
    except DialerError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quality.page"))
    settings = services().settings
    done = draw_month(
        db(), m, settings.tz, settings.qa_sample_per_agent, user().username, request.remote_addr
    )
    db().commit()
    if done:
        picked = sum(len(d.attempt_ids) for d in done)
        flash(
            f"{m.label}已抽取 {len(done)} 名坐席的 {picked} 通通话（新抽 {sum(d.added for d in done)} 通）。",
            "ok",
        )
    else:
        flash(f"{m.label}没有坐席接听或处理过的通话，未抽取质检样本。", "error")
    return redirect(url_for("quality.page", month=str(m)))


def _sample(sample_id: int) -> QaSample:
    return found_or_404(QaSample, sample_id)


@bp.get("/samples/<int:sample_id>")
@requires("qa", hide=True)
def sample(sample_id: int) -> str:
    """Show one sampled call with its recordings and the checklist to score it."""
    s = _sample(sample_id)
    a = db().get_one(Attempt, s.attempt_id)
    task = db().get_one(Task, a.task_id)
    full = [check(r, stores()) for r in a.recordings if r.kind != "clip"]
    marks = {x["item"]: x for x in s.checks.get("items", [])}
    return render_template("qa_sample.html", s=s, a=a, task=task, full=full, marks=marks,
                           checklist=services().settings.qa_checklist)  # fmt: skip


@bp.post("/samples/<int:sample_id>")
@requires("qa", hide=True)
def score_sample(sample_id: int) -> Response:
    """Store the checklist's marks for one sampled call; audited."""
    s = _sample(sample_id)
    items = services().settings.qa_checklist
    marks: dict[str, tuple[bool, str]] = {}
    for i, item in enumerate(items):
        choice = request.form.get(f"ok_{i}", "")
        if choice in ("yes", "no"):
            marks[item] = (choice == "yes", request.form.get(f"note_{i}", ""))
    try:
        score(s, items, marks, user().username, now(), request.form.get("comment", ""))
    except DialerError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quality.sample", sample_id=s.id))
    failed = [x["item"] for x in s.checks["items"] if not x["ok"]]
    audit("qa_score", f"qa_sample:{s.id}", attempt=s.attempt_id, score=s.score, out_of=s.out_of, items=failed,
          comment=s.comment or "")  # fmt: skip
    db().commit()
    flash(f"通话 {s.attempt_id} 的质检评分已保存：{s.score}/{s.out_of} 项符合。", "ok")
    return redirect(url_for("quality.page", month=s.month))
