"""A small test IVR served by werkzeug on 127.0.0.1, validating every webhook's signature."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from tests.serving import serving

Route = Callable[[dict[str, str]], "str | Response | tuple[str, int]"]


@dataclass
class Hit:
    path: str
    form: dict[str, str]
    signed: bool
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeIvr:
    """The webhooks it received (in arrival order) and the routes it answers."""

    token: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, path: str) -> Callable[[Route], Route]:
        def add(fn: Route) -> Route:
            self.routes[path] = fn
            return fn

        return add

    def paths(self, call_sid: str | None = None) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits if call_sid is None or h.form.get("CallSid") == call_sid]

    def for_path(self, path: str, call_sid: str | None = None) -> list[dict[str, str]]:
        with self.lock:
            return [
                h.form
                for h in self.hits
                if h.path == path and (call_sid is None or h.form.get("CallSid") == call_sid)
            ]


def twiml(body: str) -> Response:
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', mimetype="text/xml")


@contextmanager
def serve_ivr(token: str) -> Iterator[FakeIvr]:
    """Serve a FakeIvr in a background thread; every request is checked with RequestValidator."""
    ivr = FakeIvr(token)
    app = Flask("test-ivr")
    validator = RequestValidator(token)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def handle(path: str) -> Any:
        params = request.form if request.method == "POST" else {}
        signed = validator.validate(request.url, params, request.headers.get("X-Twilio-Signature", ""))
        form = {k: v for k, v in (request.form.items() if request.method == "POST" else request.args.items())}
        with ivr.lock:
            ivr.hits.append(Hit("/" + path, form, signed, dict(request.headers)))
        fn = ivr.routes.get("/" + path)
        return fn(form) if fn else ("", 204)

    with serving(app) as ivr.url:
        yield ivr
