"""Signing in and out. Failed sign-ins are counted; the fifth in a row locks the account for 15 minutes."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from dialer.model.audit import append_audit
from dialer.model.sessions import end_session, start_session
from dialer.model.users import LOCKOUT, MAX_FAILURES, no_users, sign_in
from dialer.web.helpers import current_user, db, home_url, now

bp = Blueprint(
    "auth", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)


@bp.get("/")
def home() -> Response:
    """Send the user to the first page their role allows."""
    who = current_user()
    if who is None:
        return redirect(url_for("auth.login"))
    return redirect(home_url(who))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Show the sign-in form and check it."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""), first_run=_first_run())
    username = request.form.get("username", "").strip()
    result = sign_in(db(), username, request.form.get("password", ""), now())
    ip = request.remote_addr
    if result.user is None:
        append_audit(
            db(), username or "(空)", "login_failed", f"user:{username}", {"why": result.outcome}, ip
        )
        db().commit()
        flash(_refusal(result.outcome), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=username,
                               first_run=_first_run())  # fmt: skip
    user = result.user
    append_audit(db(), user.username, "login", f"user:{user.id}", {"role": str(user.role)}, ip)
    session.clear()
    session["sid"] = start_session(db(), user, now(), ip)
    db().commit()
    return redirect(_safe_next(request.form.get("next", "")) or home_url(user))


def _first_run() -> bool:
    """Return whether nobody can sign in yet because no user exists (the page then says how to make one)."""
    try:
        return no_users(db())
    except SQLAlchemyError:  # a database not yet created: the same advice, after `dialer init`
        db().rollback()
        return True


def _refusal(outcome: str) -> str:
    # A locked account and an unknown name get the same words: the page must not tell which names exist.
    if outcome == "inactive":  # said only after the right password
        return "该账户已停用，请联系系统管理员。"
    minutes = int(LOCKOUT.total_seconds() // 60)
    return (f"用户名或密码错误，或账户因连续 {MAX_FAILURES} 次密码错误已暂时锁定 {minutes} 分钟。"
            "请核对后重试；如仍无法登录，请稍后再试或联系系统管理员。")  # fmt: skip


def _safe_next(target: str) -> str:
    """Return `target` only if it is a path on this site (never another host)."""
    parts = urlparse(target)
    if not target.startswith("/") or target.startswith("//") or parts.netloc or parts.scheme:
        return ""
    return target


@bp.post("/logout")
def logout() -> Response:
    """Sign out."""
    who = current_user()
    if who is not None:
        append_audit(db(), who.username, "logout", f"user:{who.id}", {}, request.remote_addr)
    if session.get("sid"):
        end_session(db(), session["sid"], now())  # the cookie, even if copied, opens nothing any more
    db().commit()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))
