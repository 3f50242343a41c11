"""Guards in front of every route: request size limits checked before the body is read, paths no file system
can hold refused, and the security headers every answer carries.

The size limit sits in WSGI middleware so it runs before Flask, the form parser or the signature check touch
the body: a declared length over the route's limit is answered 413 at once. A body sent without a length
(chunked) is cut off by the same limit while it is read.
"""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from dialer.settings import Settings

# The gateway's form posts are a few kilobytes; list uploads are the only large bodies.
WEBHOOK_MAX_BYTES = 64 * 1024
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
PAGE_MAX_BYTES = 1024 * 1024
LIMITS = (
    ("/ivr/", WEBHOOK_MAX_BYTES),
    ("/admin/upload", UPLOAD_MAX_BYTES),
    ("/followups/tasks/", UPLOAD_MAX_BYTES),
)
TOO_LARGE = "请求内容过大：此地址最多接受 {limit} 字节，请缩小后重试。\n"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BAD_PATH = "地址无效：路径中含有不允许的字符。\n"
# Pages load their own scripts, styles, images and audio only; nothing inline, nothing framed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")  # fmt: skip
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def unsafe_to_serve(settings: Settings, host: str) -> str:
    """Return why serving on `host` with these settings is refused, or "" when it is safe."""
    if is_loopback_host(host):
        return ""
    missing = [name for name, value in (("DIALER_SECRET_KEY", settings.secret_key),
                                        ("DIALER_AUDIT_KEY", settings.audit_key)) if not value]  # fmt: skip
    if not missing:
        return ""
    return (
        f"拒绝在 {host} 上启动：未设置 {'、'.join(missing)}。监听本机以外的地址时必须设置它们"
        f"（环境变量，或用 {missing[0]}_FILE 指向存放密钥的文件），"
        "否则多个进程互不认可登录状态、审计日志也没有密钥保护；仅本机测试可用 --host 127.0.0.1。"
    )


def is_loopback_host(host: str) -> bool:
    """Return whether `host` (an address to listen on) is reachable from this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def limit_for(path: str) -> int:
    """Return the largest request body the route at `path` accepts."""
    return next((limit for prefix, limit in LIMITS if path.startswith(prefix)), PAGE_MAX_BYTES)


def _plain(status: str, text: str, start_response: StartResponse) -> Iterable[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Connection", "close")])  # fmt: skip
    return [body]


class BodyLimits:
    """WSGI middleware: refuse a body over its route's limit (413) and a path holding a NUL byte (400)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "\x00" in path:
            return _plain("400 Bad Request", BAD_PATH, start_response)
        limit = limit_for(path)
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain("400 Bad Request", "请求头 Content-Length 无效。\n", start_response)
        if declared > limit:
            return _plain("413 Request Entity Too Large", TOO_LARGE.format(limit=limit), start_response)
        if not declared and "wsgi.input" in environ:  # chunked: no length to check up front
            environ["wsgi.input"] = CappedStream(environ["wsgi.input"], limit)
        return self.app(environ, start_response)


class CappedStream(io.RawIOBase):
    """A request body that fails with 413 as soon as more than `limit` bytes of it are read."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def _count(self, data: bytes) -> bytes:
        self.left -= len(data)
        if self.left < 0:
            raise RequestEntityTooLarge(TOO_LARGE.format(limit=limit_for(request.path)))
        return data

    def read(self, size: int | None = -1) -> bytes:
        want = self.left + 1 if size is None or size < 0 else min(size, self.left + 1)
        return self._count(self.stream.read(want))

    def readline(self, size: int | None = -1) -> bytes:
        want = self.left + 1 if size is None or size < 0 else min(size, self.left + 1)
        return self._count(self.stream.readline(want))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _no_nul_in_forms() -> None:
    # No database stores a NUL byte in text (PostgreSQL refuses it): a form carrying one is refused whole.
    if request.mimetype in FORM_TYPES and any("\x00" in v for v in request.form.values()):
        abort(400, "提交的内容含有不允许的字符（NUL），请检查后重试。")


def _headers(https: bool) -> Callable[[Response], Response]:
    def add(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("Permissions-Policy", PERMISSIONS)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            resp.headers.setdefault("Strict-Transport-Security", HSTS)
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    return add


def init_app(app: Flask, public_url: str) -> None:
    """Wrap `app` in the size limits and add the security headers (HSTS only behind an https public URL)."""
    app.wsgi_app = BodyLimits(app.wsgi_app)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = UPLOAD_MAX_BYTES
    app.before_request(_no_nul_in_forms)
    app.after_request(_headers(public_url.startswith("https://")))
