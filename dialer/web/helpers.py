"""What every page shares: the request's database session, the signed-in user, roles, audit, filters."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from flask import Flask, abort, g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from dialer.model import Role, User
from dialer.model.audit import append_audit
from dialer.model.sessions import Lifetimes, resume_session
from dialer.policy.privacy import mask_phone
from dialer.services import services
from dialer.web.words import matched_words, reason_text, says, word

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

A, S, C, AD = Role.AGENT, Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN
# What each role may do. Anything not listed here is refused.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "board": frozenset({A, S, AD}),
    "cases": frozenset({A, S, AD}),
    "callbacks": frozenset({A, S, AD}),
    "task": frozenset({A, S, AD}),  # a task's page; an agent closes a lead there
    "calls": frozenset({C, AD}),  # search, download, evidence export
    "listen": frozenset({S, C, AD}),  # a call's page and its recordings, for quality checks (质检)
    "qa": frozenset({S, C, AD}),  # draw the month's sample and score it
    "recording_failures": frozenset({S, C, AD}),  # recordings that could not be stored, and why
    "audit": frozenset({C, AD}),
    "upload": frozenset({S, AD}),
    "progress": frozenset({S, AD}),
    "report": frozenset({S, C, AD}),  # the monthly report
    "report_file": frozenset({S, AD}),
    "scripts": frozenset({S, C, AD}),  # read the scripts and their filed versions
    "script_edit": frozenset({S, AD}),  # write drafts, switch a script on or off
    "script_approve": frozenset({C, AD}),  # approve or retire a version (话术报备)
    "suggestions": frozenset({S, AD}),  # customers' opinions: read and route to a department
    "users": frozenset({AD}),
    "calendar": frozenset({AD}),  # next year's holidays and 调休 working days
    "full_phone": frozenset({C, AD}),
    "supervise": frozenset({S, AD}),  # assign and reassign cases, reopen them, see everyone's callbacks
    "tasks": frozenset({S, C, AD}),  # the list of every task
    "customers": frozenset({A, S, C, AD}),  # a customer's whole history
    "followups": frozenset({A, S, AD}),  # the 机构自访 queue; agents record only their department's tasks
}
MINUTES = "%Y-%m-%d %H:%M"  # how every page shows an instant
SECONDS = "%Y-%m-%d %H:%M:%S"  # where seconds matter: the audit log and a call's timeline
ROLE_NAMES = {A: "回访专员", S: "主管", C: "合规质检", AD: "系统管理员"}
# Menu entries: (permission, endpoint, label), in the order the header shows them.
MENU = (
    ("board", "agents.board", "等待接听"),
    ("cases", "agents.cases", "问题件"),
    ("callbacks", "agents.callbacks", "我的回拨"),
    ("followups", "followups.queue", "机构自访"),
    ("calls", "calls.search", "通话查询"),
    ("tasks", "worklists.tasks", "回访任务"),
    ("recording_failures", "calls.failed_recordings", "录音异常"),
    ("audit", "auditlog.view", "审计日志"),
    ("progress", "admin.progress", "今日进度"),
    ("report", "report.page", "月度报告"),
    ("qa", "quality.page", "质检"),
    ("upload", "admin.upload", "导入名单"),
    ("upload", "plans.plans", "回访计划"),
    ("scripts", "scripts.index", "话术管理"),
    ("suggestions", "suggestions.index", "意见建议"),
    ("users", "admin.users", "用户管理"),
    ("calendar", "calendar.page", "节假日日历"),
)


# Which menu entry a page belongs to, for the pages the menu does not name.
SECTION = {
    "agents.board_rows": "agents.board", "agents.take": "agents.board", "agents.case": "agents.cases",
    "agents.assign": "agents.cases", "agents.note": "agents.cases", "agents.resolution": "agents.cases",
    "agents.schedule_callback": "agents.cases", "agents.close": "agents.cases",
    "agents.callback_done": "agents.callbacks", "answers.escalation": "agents.board",
    "answers.save_escalation": "agents.board", "answers.callback": "agents.callbacks",
    "answers.save_callback": "agents.callbacks", "calls.call": "calls.search", "report.tasks": "report.page", "scripts.show": "scripts.index",
    "scripts.edit": "scripts.index",
    "quality.sample": "quality.page", "quality.draw": "quality.page", "quality.score_sample": "quality.page",
    "agents.reassign": "agents.cases", "agents.reopen": "agents.cases", "worklists.customer": "worklists.tasks",
    "followups.task": "followups.queue", "followups.save": "followups.queue", "followups.show": "followups.queue",
}  # fmt: skip


def db() -> Session:
    """Return this request's database session (opened on first use, closed when the request ends)."""
    if "db_session" not in g:
        g.db_session = services().db.sessions()
    return cast(Session, g.db_session)


def found_or_404(model: type[T], ident: int) -> T:
    """Return the row with this id, or answer 404 (a missing or guessed id reads like any unknown page)."""
    row = db().get(model, ident)
    if row is None:
        abort(404)
    return row


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def now() -> datetime:
    """Return the app clock's current instant."""
    return services().clock.now()


def current_user() -> User | None:
    """Return the signed-in user, or None."""
    return cast(User | None, g.get("user"))


def user() -> User:
    """Return the signed-in user (the view is behind `requires`)."""
    u = current_user()
    if u is None:
        abort(401)
    return u


def can(permission: str, who: User | None = None) -> bool:
    """Return whether the user (default: the signed-in one) has `permission`."""
    who = who or current_user()
    return who is not None and Role(who.role) in PERMISSIONS[permission]


def requires(permission: str, *, hide: bool = False) -> Callable[[F], F]:
    """Let only signed-in users with `permission` in; `hide` answers 404 so ids cannot be probed."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if current_user() is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if not can(permission):
                abort(404 if hide else 403)
            return view(*args, **kwargs)

        return cast(F, inner)

    return wrap


def audit(action: str, target: str = "", **detail: Any) -> None:
    """Append an audit entry for the signed-in user's action to this request's session."""
    who = current_user()
    append_audit(db(), who.username if who else "anonymous", action, target, detail, request.remote_addr)


def person(user_id: int | None, empty: str = "—") -> str:
    """Return a user's display name (their login name only if they have none), for pages and exports."""
    if user_id is None:
        return empty
    if "names" not in g:
        g.names = {u.id: u.display_name or u.username for u in db().scalars(select(User))}
    return cast(str, g.names.get(user_id, empty))


# Who acts when no console user does: the command line, the installation, the demo, an anonymous visitor.
NOT_USERS = {"cli": "命令行", "cli:purge": "命令行（过期数据清理）", "dialer init": "系统安装（随附话术）",
             "demo": "演示程序", "anonymous": "未登录的访问者"}  # fmt: skip


def by_login(username: str | None) -> str:
    """Return the display name of the user with this login name ("命令行" for the command line)."""
    if not username:
        return "—"
    if username in NOT_USERS:
        return NOT_USERS[username]
    if "logins" not in g:
        g.logins = {u.username: u.display_name or u.username for u in db().scalars(select(User))}
    return cast(str, g.logins.get(username, username))


def zone_name(zone: object) -> str:
    """Return a time zone as people call it: Asia/Shanghai is 北京时间."""
    text = str(zone)
    return "北京时间" if text in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else text


def show_phone(phone: str | None) -> str:
    """Return the phone in full for roles that need it, masked for everyone else."""
    if not phone:
        return ""
    return phone if can("full_phone") else mask_phone(phone)


def local_time(value: datetime | None, fmt: str = MINUTES) -> str:
    """Format an instant in the service's time zone (DIALER_TIMEZONE), never in UTC."""
    if value is None:
        return ""
    # The database hands back aware UTC; a naive value can only be UTC too, never the server's zone.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(services().settings.tz).strftime(fmt)


def home_url(who: User) -> str:
    """Return the URL of the first page `who` may open."""
    for perm, endpoint, _label in MENU:
        if can(perm, who):
            return url_for(endpoint)
    return url_for("auth.login")


def pretty_json(value: Any) -> str:
    """Render a value as compact JSON with Chinese left readable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _load_user() -> Response | None:
    g.user = None
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    settings = services().settings
    limits = Lifetimes(
        timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_max_hours)
    )
    found = resume_session(db(), token, now(), limits)
    db().commit()  # the touch, or the end of a sign-in that ran out
    if found is None:
        session.clear()  # signed out, timed out, role changed or deactivated: sign in again
        return None
    g.user = found
    return None


def _context() -> dict[str, Any]:
    who = current_user()
    menu = [(ep, label) for perm, ep, label in MENU if who is not None and can(perm, who)]
    endpoint = request.endpoint or ""
    active = SECTION.get(endpoint, endpoint)
    return {"me": who, "menu": menu, "active": active, "role_name": ROLE_NAMES, "can": can,
            "SECONDS": SECONDS}  # fmt: skip


def init_app(app: Flask) -> None:
    """Hook the session, user loading and template helpers into `app`."""
    app.before_request(_load_user)
    app.teardown_appcontext(_close_session)
    app.context_processor(_context)
    app.add_template_filter(show_phone, "phone")
    app.add_template_filter(person, "person")
    app.add_template_filter(by_login, "by_login")
    app.add_template_filter(zone_name, "zone")
    app.add_template_filter(matched_words, "matched")
    app.add_template_filter(local_time, "local")
    app.add_template_filter(pretty_json, "pretty")
    app.add_template_filter(says, "says")
    app.add_template_filter(word, "word")
    app.add_template_filter(reason_text, "reason_text")
