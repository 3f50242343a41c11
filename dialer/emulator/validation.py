"""Read and check REST parameters, answering with Twilio's error codes (Twilio docs: REST API error codes and responses)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from dialer.emulator.state import CallOptions
from dialer.profiles import SOMLENG_CALL_PARAMS, TWILIO, Profile

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
RECORDING_EVENTS = ("in-progress", "completed", "absent")

# Every parameter the emulator reads; the OpenAPI test checks each is defined for its operation.
CREATE_PARAMS = (
    "To", "From", "Url", "Method", "Twiml", "ApplicationSid", "FallbackUrl", "FallbackMethod", "StatusCallback",
    "StatusCallbackMethod", "StatusCallbackEvent", "SendDigits", "Timeout", "Record", "RecordingChannels",
    "RecordingStatusCallback", "RecordingStatusCallbackMethod", "RecordingStatusCallbackEvent", "Trim",
    "MachineDetection", "AsyncAmd", "AsyncAmdStatusCallback", "AsyncAmdStatusCallbackMethod", "TimeLimit",
    "CallerId", "RecordingTrack", "MachineDetectionTimeout",
)  # fmt: skip
UPDATE_PARAMS = (
    "Url", "Method", "Twiml", "Status", "FallbackUrl", "FallbackMethod", "StatusCallback", "StatusCallbackMethod",
    "TimeLimit",
)  # fmt: skip
LIST_CALL_PARAMS = (
    "To", "From", "ParentCallSid", "Status", "StartTime", "StartTime<", "StartTime>", "EndTime", "EndTime<",
    "EndTime>", "PageSize", "Page", "PageToken",
)  # fmt: skip
LIST_RECORDING_PARAMS = ("CallSid", "ConferenceSid", "IncludeSoftDeleted", "PageSize", "Page", "PageToken")


class ApiError(Exception):
    """A request the REST API refuses, with Twilio's code and HTTP status."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _url(form: Any, name: str) -> str | None:
    value = form.get(name) or None
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ApiError(21205, f"{name} is not a valid URL: {value}")
    return value


def _method(form: Any, name: str) -> str:
    value = (form.get(name) or "POST").upper()
    if value not in ("GET", "POST"):
        raise ApiError(21205, f"{name} must be GET or POST, got {value}")
    return value


def _events(form: Any, name: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """Read an event list sent as repeated fields (the SDK) or space separated (the spec)."""
    values = [v for raw in form.getlist(name) for v in raw.replace(",", " ").split()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApiError(21626, f"{name}: {bad[0]!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(values)) or default


def _int(form: Any, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(form.get(name) or default)
    except ValueError as exc:
        raise ApiError(21236, f"{name} must be a whole number of seconds") from exc
    return min(max(value, low), high)


def _choice(form: Any, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = form.get(name) or default
    if value is not None and value not in allowed:
        raise ApiError(21236, f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def accepted(form: Any, profile: Profile) -> Any:
    """Return the parameters the profile's Calls API reads; Somleng drops the others without a word."""
    if profile.call_options:
        return form
    return MultiDict([(k, v) for k, v in form.items(multi=True) if k in SOMLENG_CALL_PARAMS])


def call_options(form: Any, profile: Profile = TWILIO) -> tuple[str, str, CallOptions]:
    """Validate a create-call request; return (To, From, options)."""
    form = accepted(form, profile)
    to, from_ = (form.get("To") or "").strip(), (form.get("From") or "").strip()
    if not to:
        raise ApiError(21201, "A 'To' phone number is required.")
    if not from_:
        raise ApiError(21213, "A 'From' phone number is required.")
    if not (E164.match(to) or to.startswith(("client:", "sip:"))):
        raise ApiError(21211, f"The 'To' number {to} is not a valid phone number.")
    if not (E164.match(from_) or from_.startswith("client:")):
        raise ApiError(21212, f"The 'From' number {from_} is not a valid phone number or caller ID.")
    url, twiml = _url(form, "Url"), form.get("Twiml") or None
    if form.get("ApplicationSid") and not (url or twiml):
        raise ApiError(21218, "ApplicationSid is not supported by the emulator; send Url or Twiml instead")
    if not (url or twiml):
        raise ApiError(21205, "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required.")
    opts = CallOptions(
        url=url,
        method=_method(form, "Method"),
        twiml=None if url else twiml,  # the spec: with both, Twiml is ignored
        fallback_url=_url(form, "FallbackUrl"),
        fallback_method=_method(form, "FallbackMethod"),
        status_callback=_url(form, "StatusCallback"),
        status_callback_method=_method(form, "StatusCallbackMethod"),
        status_events=_events(form, "StatusCallbackEvent", CALL_EVENTS, ("completed",)),
        timeout=_int(form, "Timeout", 60, 1, 600),
        record=(form.get("Record") or "false").lower() == "true",
        recording_channels=_choice(form, "RecordingChannels", ("mono", "dual"), "mono") or "mono",
        recording_status_callback=_url(form, "RecordingStatusCallback"),
        recording_status_callback_method=_method(form, "RecordingStatusCallbackMethod"),
        recording_status_events=_events(
            form, "RecordingStatusCallbackEvent", RECORDING_EVENTS, ("completed",)
        ),
        trim=_choice(form, "Trim", ("trim-silence", "do-not-trim"), "trim-silence") or "trim-silence",
        machine_detection=_choice(form, "MachineDetection", ("Enable", "DetectMessageEnd"), None),
        async_amd=(form.get("AsyncAmd") or "false").lower() == "true",
        async_amd_callback=_url(form, "AsyncAmdStatusCallback"),
        async_amd_callback_method=_method(form, "AsyncAmdStatusCallbackMethod"),
        time_limit=_int(form, "TimeLimit", 14400, 1, 86400),
    )
    if form.get("SendDigits"):  # Twilio: SendDigits disables machine detection
        opts = CallOptions(**{**opts.__dict__, "machine_detection": None})
    return to, from_, opts


def update_options(form: Any) -> tuple[str | None, dict[str, str] | None, dict[str, Any]]:
    """Validate an update-call request; return (Status, redirect target, option changes)."""
    status = _choice(form, "Status", ("canceled", "completed"), None)
    url, twiml = _url(form, "Url"), form.get("Twiml") or None
    redirect = None
    if url or twiml:
        redirect = {
            "url": url or "",
            "method": _method(form, "Method"),
            "twiml": "" if url else (twiml or ""),
        }
    changes: dict[str, Any] = {}
    if "FallbackUrl" in form:
        changes["fallback_url"] = _url(form, "FallbackUrl")
    if "FallbackMethod" in form:
        changes["fallback_method"] = _method(form, "FallbackMethod")
    if "StatusCallback" in form:
        changes["status_callback"] = _url(form, "StatusCallback")
    if "StatusCallbackMethod" in form:
        changes["status_callback_method"] = _method(form, "StatusCallbackMethod")
    if "TimeLimit" in form:
        changes["time_limit"] = _int(form, "TimeLimit", 14400, 1, 86400)
    return status, redirect, changes
