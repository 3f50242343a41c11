"""Error pages: plain Chinese words and a way back, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from dialer.web.helpers import db

log = logging.getLogger(__name__)
CONSOLE_BLUEPRINTS = frozenset(
    {
        "auth",
        "agents",
        "answers",
        "calls",
        "auditlog",
        "admin",
        "plans",
        "report",
        "tasks",
        "calendar",
        "worklists",
        "scripts",
        "script_editor",
        "suggestions",
        "quality",
        "followups",
        "dial",
    }
)
MESSAGES = {
    400: ("请求无效", "提交的内容不完整或格式不对，请返回上一页检查后重试。"),
    401: ("请先登录", "您尚未登录或登录已过期，请重新登录。"),
    403: ("无权访问", "您的角色没有权限查看此页面。如需开通，请联系系统管理员。"),
    404: ("未找到", "您要找的页面或记录不存在，或您无权查看。"),
    405: ("操作不允许", "此页面不支持该操作，请从菜单进入。"),
    413: ("文件过大", "上传的文件超过 50 MB，请拆分后再上传。"),
    500: ("系统内部错误", "处理您的请求时出错，已记录在日志中。请稍后重试；如反复出现，请联系系统管理员。"),
}


def _is_console() -> bool:
    # An unknown URL has no blueprint: it gets the console's page too.
    return request.blueprint in CONSOLE_BLUEPRINTS or request.url_rule is None


def error_page(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the Chinese error page for `code`."""
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    # No menu item is highlighted: a missing and a forbidden record must render byte for byte alike.
    return render_template("error.html", code=code, title=title, text=detail or text, active=""), code


def _rollback() -> None:
    try:
        db().rollback()
    except Exception:  # the session itself may be what failed; the page must still render
        log.exception("rollback after an error failed")


def init_app(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> tuple[str, int]:
        return error_page(400, "表单已过期或来源无效（CSRF 校验失败），请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> HTTPException | tuple[str, int] | Response:
        if not _is_console() and (e.code or 500) < 500:
            return e  # the gateway's webhooks keep their own plain answers
        # A view may abort with its own plain-words description of what was wrong.
        own = e.description if e.description and e.description != type(e).description else None
        return error_page(e.code or 500, own)

    @app.errorhandler(Exception)
    def _crash(e: Exception) -> tuple[str, int]:
        if not _is_console():
            raise e
        log.exception("unhandled error on %s %s", request.method, request.path)
        _rollback()
        return error_page(500)

    @app.errorhandler(InternalServerError)
    def _500(_e: InternalServerError) -> tuple[str, int]:
        _rollback()
        return error_page(500)
