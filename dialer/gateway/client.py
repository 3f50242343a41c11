"""The service's client for Twilio or any Twilio-compatible gateway, on the official `twilio` SDK.

`DIALER_GATEWAY_URL` overrides the SDK's base URL (empty = real Twilio), and the profile's REST prefix
follows it (SignalWire: `/api/laml`). A call asks only for what the profile has: Somleng's Calls API reads
no Record, StatusCallbackEvent, Timeout or TimeLimit. Every error comes out as a `GatewayError` that says
whether trying again can help.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from dialer.errors import GatewayError
from dialer.gateway.media import MediaPolicy, download
from dialer.settings import Settings

# Twilio codes that say the customer's number itself is wrong or unreachable for good: the task is invalid.
NUMBER_CODES = frozenset({21211, 21214, 21215, 21216, 21217, 21401, 21407, 21610, 13224})
# Codes no retry can fix that are our own configuration's fault (caller ID, URL, account): the task is
# not to blame, so it must not be marked invalid.
CONFIG_CODES = frozenset({20003, 20404, 21201, 21205, 21210, 21212, 21213, 21402, 13227})
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 31000})
# Twilio's date_created has whole seconds: a call created this long before we asked still counts as ours.
ADOPT_SLACK = timedelta(seconds=2)
HTTP_TIMEOUT = 10.0
# An answer clip is fetched inside a webhook: each try is short, and a 404 is tried again after a pause
# (Twilio's advice for a recording not yet available is to retry after 1-3 s; short pauses find it sooner).
CLIP_TRY_SECONDS = 2.0
MIN_TRY_SECONDS = 0.2
CLIP_RETRY_PAUSE = 0.4
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
T = TypeVar("T")


class InvalidNumber(GatewayError):
    """The gateway says the number can never be called (e.g. 21211): mark the task invalid, do not retry."""


@dataclass(frozen=True)
class CallInfo:
    """What the gateway says about one call."""

    sid: str
    status: str
    to: str = ""
    duration: int | None = None
    answered_by: str | None = None
    start_time: Any = None
    end_time: Any = None
    created: Any = None


@dataclass(frozen=True)
class RecordingInfo:
    """A recording the gateway holds, as its list shows it."""

    sid: str
    call_sid: str
    source: str
    channels: int
    duration: float
    url: str


@dataclass(frozen=True)
class CallRequest:
    """One outbound call as the service places it: recorded in full, with every status callback."""

    to: str
    voice_url: str
    status_callback: str
    recording_status_callback: str
    timeout: int = 30
    time_limit: int = 1800
    record: bool = True
    # Answering-machine detection: "async" (the call's TwiML plays at once; the verdict is posted to
    # `amd_callback`), "sync" (the voice webhook waits for the verdict and carries `AnsweredBy`) or "off".
    machine_detection: str = "off"
    amd_callback: str = ""


class Gateway:
    """Place, inspect and end calls; fetch and delete recordings."""

    def __init__(
        self, settings: Settings, *, retries: int = 2, backoff: float = 0.5, timeout: float = HTTP_TIMEOUT
    ) -> None:
        for var in ("TWILIO_EDGE", "TWILIO_REGION"):  # they rewrite the host of a custom base URL
            os.environ.pop(var, None)
        self.settings = settings
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        http = TwilioHttpClient(timeout=timeout, max_retries=None)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        self.profile = settings.profile
        if settings.gateway_url:
            self.client.api.base_url = settings.gateway_url.rstrip("/") + self.profile.rest_prefix
        self.is_emulator = bool(settings.gateway_url) and is_loopback(settings.gateway_url)
        self.media_policy = MediaPolicy(settings.gateway_url)

    @property
    def worst_case_seconds(self) -> float:
        """Return the longest `place_call` can take: every try and every recheck timing out, plus backoff."""
        backoff = sum(self.backoff * 1.2 * 2**i for i in range(self.retries))
        return 2 * self.timeout * (self.retries + 1) + backoff

    def place_call(self, req: CallRequest, *, since: datetime | None = None) -> CallInfo:
        """Create the call with full dual-channel recording and all status callbacks, where the profile has them.

        A request that got no answer (timeout, dropped connection) may still have created the call, so
        before sending it again look for a call to the same number created since `since`, and adopt it.
        """

        def create() -> Any:
            return self.client.calls.create(**self.create_params(req))

        def created_meanwhile() -> Any:
            if since is None:
                return None
            return next((c for c in self.client.calls.list(to=req.to, limit=20)
                         if c.date_created is not None and c.date_created >= since - ADOPT_SLACK), None)  # fmt: skip

        return _info(self._retrying("create", create, recheck=created_meanwhile))

    def create_params(self, req: CallRequest) -> dict[str, Any]:
        """Return the SDK's arguments for this call: what the profile's Calls API accepts, nothing more."""
        params: dict[str, Any] = {
            "to": req.to, "from_": self.settings.twilio_from_number, "url": req.voice_url, "method": "POST",
            "status_callback": req.status_callback, "status_callback_method": "POST",
        }  # fmt: skip
        if self.profile.status_events:
            params["status_callback_event"] = STATUS_EVENTS
        if self.profile.call_options:
            params.update(timeout=req.timeout, time_limit=req.time_limit)
        if self.profile.call_recording:
            params.update(
                record=req.record,
                recording_channels="dual",
                recording_status_callback=req.recording_status_callback,
                recording_status_callback_method="POST",
                recording_status_callback_event=["completed", "absent"],
            )
        if self.profile.machine_detection:
            params.update(amd_params(req))
        return params

    def fetch_call(self, sid: str) -> CallInfo:
        """Return the gateway's view of one call."""
        return _info(self._retrying("fetch", lambda: self.client.calls(sid).fetch()))

    def find_calls(self, to: str, limit: int = 20) -> list[CallInfo]:
        """Return the latest calls to a number (for reconciling a call placed just before a crash)."""
        calls = self._retrying("list", lambda: self.client.calls.list(to=to, limit=limit))
        return [_info(c) for c in calls]

    def redirect(self, sid: str, url: str) -> CallInfo:
        """Move a live call to the TwiML at `url`: the verb in progress is cut at once (Calls API update)."""
        return _info(self._retrying("update", lambda: self.client.calls(sid).update(url=url, method="POST")))

    def update_twiml(self, sid: str, twiml: str) -> CallInfo:
        """Move a live call to this TwiML document at once, without the gateway fetching a URL."""
        return _info(self._retrying("update", lambda: self.client.calls(sid).update(twiml=twiml)))

    def hang_up(self, sid: str) -> CallInfo:
        return _info(self._retrying("update", lambda: self.client.calls(sid).update(status="completed")))

    def list_recordings(self, call_sid: str) -> list[RecordingInfo]:
        """Return the recordings the gateway holds for one call (to recover a lost recording callback)."""
        recs = self._retrying("list", lambda: self.client.recordings.list(call_sid=call_sid, limit=20))
        base = self.client.api.base_url.rstrip("/")
        return [RecordingInfo(r.sid, r.call_sid, r.source or "", int(r.channels or 1), float(r.duration or 0),
                              f"{base}/2010-04-01/Accounts/{r.account_sid}/Recordings/{r.sid}") for r in recs]  # fmt: skip

    def fetch_media(self, url: str, *, within: float | None = None) -> bytes:
        """Download a recording's audio (WAV); only the configured gateway's origin gets the credentials.

        With `within` (seconds), every try is short and a 404 is tried again until that time is up: Twilio
        documents that an answer clip may not be fetchable yet when the `<Record>` action arrives.
        """
        media = url if url.endswith((".wav", ".mp3")) else url + ".wav"
        if within is None:
            return self._retrying("download", lambda: self._get_media(media, self.timeout))
        deadline = time.monotonic() + within
        while True:
            try_for = min(CLIP_TRY_SECONDS, max(deadline - time.monotonic(), MIN_TRY_SECONDS))
            try:
                return self._get_media(media, try_for)
            except GatewayError as exc:
                if exc.permanent and exc.status != 404:
                    raise
                if time.monotonic() + CLIP_RETRY_PAUSE >= deadline:
                    raise
            time.sleep(CLIP_RETRY_PAUSE)

    def _get_media(self, media: str, timeout: float) -> bytes:
        auth = (self.settings.twilio_account_sid, self.settings.twilio_auth_token)
        try:
            r = download(self.media_policy, media, auth, timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"recording download failed: {exc}", permanent=False) from exc
        if r.status_code >= 400:
            raise GatewayError(
                f"recording download failed: HTTP {r.status_code}",
                permanent=r.status_code in (401, 403, 404, 410),
                status=r.status_code,
            )
        return r.content

    def delete_recording(self, sid: str) -> None:
        self._retrying("delete", lambda: self.client.recordings(sid).delete())

    def _retrying(self, what: str, fn: Callable[[], T], recheck: Callable[[], T | None] | None = None) -> T:
        """Call `fn`, retrying transient failures with exponential backoff (and a little jitter).

        `recheck` runs before each retry that follows a failure with no HTTP answer; what it returns is
        taken as the result (the first request did reach the gateway after all).
        """
        unanswered = False
        for attempt in range(self.retries + 1):
            try:
                if unanswered and recheck is not None and (found := recheck()) is not None:
                    return found
                return fn()
            except GatewayError as exc:
                error, unanswered = exc, False
            except TwilioRestException as exc:
                error, unanswered = translate(exc), False
            except (TwilioException, requests.RequestException, OSError) as exc:
                error, unanswered = GatewayError(f"gateway {what} failed: {exc}", permanent=False), True
            if error.permanent or attempt == self.retries:
                raise error
            time.sleep(self.backoff * (2**attempt) * random.uniform(0.8, 1.2))
        raise AssertionError("unreachable")  # pragma: no cover


def amd_params(req: CallRequest) -> dict[str, str]:
    """Return the Calls API parameters that ask for answering-machine detection (Twilio's AMD docs)."""
    if req.machine_detection == "off":
        return {}
    params = {"machine_detection": "Enable"}
    if req.machine_detection == "async":
        params.update(async_amd="true", async_amd_status_callback=req.amd_callback,
                      async_amd_status_callback_method="POST")  # fmt: skip
    return params


def translate(exc: TwilioRestException) -> GatewayError:
    """Turn a Twilio REST error into a GatewayError that says whether a retry helps."""
    code = exc.code if isinstance(exc.code, int) else None
    status = exc.status
    text = str(exc.msg).replace("Unable to create record: ", "")
    message = f"gateway error {code or status}: {text}"
    if code in NUMBER_CODES:
        return InvalidNumber(message, permanent=True, code=code, status=status)
    if code in CONFIG_CODES:
        permanent = True
    elif code in TRANSIENT_CODES or status in (408, 429) or status >= 500:
        permanent = False
    else:
        # A 4xx we do not know: the same request would fail the same way, so a retry will not help.
        permanent = 400 <= status < 500
    return GatewayError(message, permanent=permanent, code=code, status=status)


def _info(call: Any) -> CallInfo:
    duration = getattr(call, "duration", None)
    return CallInfo(
        sid=call.sid,
        status=call.status or "",
        to=getattr(call, "to", "") or "",
        duration=int(duration) if duration not in (None, "") else None,
        answered_by=getattr(call, "answered_by", None),
        start_time=getattr(call, "start_time", None),
        end_time=getattr(call, "end_time", None),
        created=getattr(call, "date_created", None),
    )


def is_loopback(url: str) -> bool:
    """Return whether the URL's host is this machine (a local emulator, never a real carrier)."""
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
