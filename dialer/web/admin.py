"""Supervisors' and admins' pages: upload a call list, today's progress, users and roles (scripts: web.scripts)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from dialer.errors import DialerError
from dialer.holidays import load_work_calendar
from dialer.intake import Limits, import_call_list
from dialer.model import Role, User
from dialer.model.users import create_user, reset_password, set_active, set_contact, set_role, unlock
from dialer.policy.rules import Window
from dialer.reports import ProgressRow, at_risk_tasks, progress_on
from dialer.reports.coverage import coverage_rows
from dialer.services import services
from dialer.web.helpers import ROLE_NAMES, audit, db, found_or_404, now, requires, user
from dialer.web.plans import BIG_UPLOAD_BYTES, start_background_import

bp = Blueprint("admin", __name__, url_prefix="/admin")
UPLOAD_SUFFIXES = (".csv", ".xlsx")
FIGURES = ("dialled", "succeeded", "problem", "unreachable", "pending")


@bp.route("/upload", methods=["GET", "POST"])
@requires("upload")
def upload() -> str | Response:
    """Upload a call list; it goes through the same checks as `dialer import`."""
    types = services().task_types
    if request.method == "GET":
        return render_template("upload.html", types=types, report=None, form={})
    form = {k: request.form.get(k, "") for k in ("type", "script", "skip_invalid", "dry_run")}
    file = request.files.get("file")
    problem = _upload_problem((file.filename or "") if file else "", form["type"], types)
    if problem or file is None:
        flash(problem or "请选择文件。", "error")
        return render_template("upload.html", types=types, report=None, form=form)
    s = services().settings
    if not form["dry_run"] and (request.content_length or 0) > BIG_UPLOAD_BYTES:  # in the background
        rules, script = types[form["type"]], form["script"] or None
        plan_id = start_background_import(
            file, _safe_name(file.filename or ""), rules, script, bool(form["skip_invalid"])
        )
        return redirect(url_for("plans.plan", plan_id=plan_id))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / _safe_name(file.filename or "upload.csv")
        file.save(path)
        try:
            with services().db.session() as session:
                report = import_call_list(
                    session, path, types[form["type"]], script=form["script"] or None, region=s.phone_region,
                    default_tz=s.timezone, today=now().astimezone(s.tz).date(),
                    skip_invalid=bool(form["skip_invalid"]), dry_run=bool(form["dry_run"]),
                    created_by=user().username, limits=Limits.of(s),
                )  # fmt: skip
        except DialerError as exc:
            flash(f"文件无法导入：{exc}", "error")
            return render_template("upload.html", types=types, report=None, form=form)
    audit(
        "import",
        f"batch:{report.batch_id or '-'}",
        **{k: v for k, v in report.as_dict().items() if k != "errors"},
    )
    db().commit()
    return render_template("upload.html", types=types, report=report, form=form)


def _upload_problem(filename: str, type_id: str, types: Mapping[str, object]) -> str | None:
    if not filename:
        return "请选择要上传的名单文件（CSV 或 XLSX）。"
    if Path(filename).suffix.lower() not in UPLOAD_SUFFIXES:
        return f"不支持的文件类型 {Path(filename).suffix or '（无扩展名）'}：请上传 .csv 或 .xlsx 文件。"
    if type_id not in types:
        return "请选择任务类型。"
    return None


def _safe_name(filename: str) -> str:
    """Keep the file's own name (Chinese included) but nothing that could climb out of the folder."""
    name = re.sub(r"[^\w.\-]", "_", Path(filename.replace("\\", "/")).name).lstrip(".")
    return name or "upload.csv"


@bp.get("/progress")
@requires("progress")
def progress() -> str:
    """Show one day's figures per task type (today by default) and the tasks whose deadline is at risk now."""
    svc = services()
    today = now().astimezone(svc.settings.tz).date()
    day = _day_arg(request.args.get("day", ""), today)
    windows = [Window.parse(w) for w in svc.settings.call_windows]
    calendar = load_work_calendar(svc.settings.config_dir)
    rows = progress_on(db(), svc.task_types, svc.settings.tz, day)
    total = ProgressRow("", "合计", *(sum(getattr(r, f) for r in rows) for f in FIGURES))
    risky = at_risk_tasks(db(), svc.task_types, calendar, windows, now())
    return render_template("progress.html", rows=[r for r in rows if not r.empty], total=total, risky=risky,
                           day=day, today=today, one_day=timedelta(days=1), now=now(),
                           tz_name=svc.settings.timezone, coverage=coverage_rows(db(), svc.task_types, now()))  # fmt: skip


def _day_arg(raw: str, today: date) -> date:
    """Return the day asked for, or today (with a message) when it is missing or not a date."""
    if not raw:
        return today
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        flash(f"日期 {raw} 无效：请按 年-月-日 填写，例如 {today.isoformat()}。已显示今天。", "error")
        return today


@bp.get("/users")
@requires("users")
def users() -> str:
    """List users and their roles."""
    rows = list(db().scalars(select(User).order_by(User.username)))
    return render_template("users.html", rows=rows, roles=list(Role), role_names=ROLE_NAMES, now=now())


@bp.post("/users")
@requires("users")
def add_user() -> Response:
    """Create a user."""
    f = request.form
    try:
        u = create_user(db(), f.get("username", "").strip(), f.get("role", ""), f.get("password", ""),
                        phone=f.get("phone", "").strip() or None, display_name=f.get("display_name", "").strip(),
                        department=f.get("department", ""), created_by_id=user().id)  # fmt: skip
    except DialerError as exc:
        db().rollback()
        flash(f"无法创建用户：{exc}", "error")
        return redirect(url_for("admin.users"))
    audit("user_add", f"user:{u.id}", username=u.username, role=str(u.role))
    db().commit()
    flash(f"已创建用户 {u.username}。", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@requires("users")
def change_role(user_id: int) -> Response:
    """Give a user another role; the change is audited and signs that user out."""
    target = db().get(User, user_id)
    if target is None:
        abort(404)
    try:
        _, before = set_role(db(), target.username, request.form.get("role", ""))
    except DialerError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    audit("role_change", f"user:{target.id}", username=target.username, before=str(before),
          after=str(target.role))  # fmt: skip
    db().commit()
    flash(f"{target.username} 的角色已改为 {ROLE_NAMES[Role(target.role)]}。", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/contact")
@requires("users")
def change_contact(user_id: int) -> Response:
    """Set the phone an agent answers and the department whose tasks they work; audited."""
    target = found_or_404(User, user_id)
    f = request.form
    try:
        set_contact(db(), target.username, f.get("phone", "").strip(), f.get("department", ""))
    except DialerError as exc:
        db().rollback()
        flash(f"{target.display_name or target.username}：{exc}", "error")
        return redirect(url_for("admin.users"))
    audit("user_contact", f"user:{target.id}", username=target.username, phone=target.phone or "",
          department=target.department or "")  # fmt: skip
    db().commit()
    flash(f"{target.display_name or target.username}（{target.username}）的电话与部门已保存。", "ok")
    return redirect(url_for("admin.users"))


ACCOUNT_ACTIONS = {"password": "password_reset", "unlock": "user_unlock", "deactivate": "user_deactivate",
                   "activate": "user_activate"}  # fmt: skip


@bp.post("/users/<int:user_id>/<action>")
@requires("users")
def account(user_id: int, action: str) -> Response:
    """Reset a user's password, unlock, deactivate or reactivate the account; audited."""
    target = db().get(User, user_id)
    if target is None or action not in ACCOUNT_ACTIONS:
        abort(404)
    if action == "deactivate" and target.id == user().id:
        flash("不能停用自己的账户。", "error")
        return redirect(url_for("admin.users"))
    name = target.username
    try:
        if action == "password":
            reset_password(db(), name, request.form.get("password", ""))
        elif action == "unlock":
            unlock(db(), name)
        else:
            set_active(db(), name, action == "activate")
    except DialerError as exc:
        db().rollback()
        flash(f"{name}：{exc}", "error")
        return redirect(url_for("admin.users"))
    audit(ACCOUNT_ACTIONS[action], f"user:{target.id}", username=name)
    db().commit()
    done = {"password": "已设置新密码并解除锁定，需用新密码重新登录", "unlock": "已解除锁定",
            "deactivate": "已停用并登出", "activate": "已重新启用"}[action]  # fmt: skip
    flash(f"{target.display_name or name}（{name}）{done}。", "ok")
    return redirect(url_for("admin.users"))
