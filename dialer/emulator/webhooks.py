"""Signed webhook requests, as Twilio sends them (form POST or GET, `X-Twilio-Signature`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from dialer.gateway.signature import compute_signature

Params = list[tuple[str, str]]
USER_AGENT = "TwilioProxy/1.1"
QUERY_SAFE = "!$'()*,/:;?@"


@dataclass(frozen=True)
class Reply:
    """What a webhook answered: a status and body, or the error that stopped it."""

    status: int | None
    body: str
    content_type: str
    error: str | None
    code: int | None  # Twilio error code: 11200 retrieval failure, 11205 connection, 11210 timeout...
    elapsed: float

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class WebhookClient:
    """Send signed webhooks; one requests.Session per thread, so calls do not share a pool."""

    def __init__(
        self, auth_token: str, timeout: float, headers: tuple[str, ...] = ("X-Twilio-Signature",)
    ) -> None:
        self.auth_token = auth_token  # the key webhooks are signed with (SignalWire: the signing key)
        self.timeout = timeout
        self.signature_headers = headers
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(self, url: str, method: str, params: Params) -> Reply:
        """Send one webhook and return what came back; never raises for network trouble."""
        method = method.upper() if method.upper() in ("GET", "POST") else "POST"
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Cache-Control": "max-age=259200"}
        started = time.monotonic()
        if method == "GET":
            # Leave unencoded what URL parsers (werkzeug's request.url) show decoded, so the URL the
            # receiver rebuilds is the one that was signed.
            url = url + ("&" if "?" in url else "?") + urlencode(params, safe=QUERY_SAFE)
            signature = compute_signature(url, [], self.auth_token)
            data: Params | None = None
        else:
            signature = compute_signature(url, params, self.auth_token)
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            data = params
        headers.update(dict.fromkeys(self.signature_headers, signature))
        try:
            resp = self._session().request(
                method, url, data=data, headers=headers, timeout=self.timeout, allow_redirects=True
            )
        except requests.Timeout:
            return Reply(
                None, "", "", f"timed out after {self.timeout:g} s", 11210, time.monotonic() - started
            )
        except requests.RequestException as exc:
            return Reply(None, "", "", f"connection failed: {exc}", 11205, time.monotonic() - started)
        ctype = resp.headers.get("Content-Type", "")
        error = None if 200 <= resp.status_code < 300 else f"HTTP {resp.status_code}"
        code = None if error is None else 11200
        return Reply(resp.status_code, resp.text, ctype, error, code, time.monotonic() - started)


def log_entry(kind: str, url: str, method: str, params: Params, reply: Reply) -> dict[str, Any]:
    """Describe one webhook for the inspection log."""
    return {
        "kind": kind,
        "url": url,
        "method": method,
        "params": dict(params),
        "status": reply.status,
        "error": reply.error,
        "response": reply.body[:2000],
        "elapsed": round(reply.elapsed, 4),
    }


class Lane:
    """Deliver one call's callbacks in order on a background thread, so the call never waits for them."""

    def __init__(self, name: str) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._name = name
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
            self._pool.submit(job)

    def close(self, wait: bool = False) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=wait)
