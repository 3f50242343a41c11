"""The REST API (2010-04-01) the product and the official `twilio` SDK talk to: a blueprint of small views."""

from __future__ import annotations

import dataclasses
import hmac
import re
import time
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from dialer.emulator import audio
from dialer.emulator.engine import Engine, QueueFull
from dialer.emulator.inspect import call_report
from dialer.emulator.resources import ROOT, call_json, page_json, recording_json
from dialer.emulator.state import Call, now
from dialer.emulator.validation import ApiError, call_options, update_options

ACCOUNT = f"{ROOT}/<account>"


def error(code: int, message: str, status: int) -> Response:
    """Return Twilio's error body (no RFC-9457 keys, so the SDK raises TwilioRestException)."""
    resp = jsonify(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    )
    resp.status_code = status
    if code == 20003:
        resp.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return resp


ENGINE_KEY = "emulator"
api = Blueprint("api", __name__)  # under the profile's REST prefix (SignalWire: /api/laml)
inspection = Blueprint("inspection", __name__)  # the emulator's own pages, at the root


def create_rest_app(engine: Engine) -> Flask:
    """Build the emulator's HTTP app around one engine."""
    app = Flask("dialer.emulator")
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[ENGINE_KEY] = engine
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.before_request(_authenticate)
    app.before_request(_slow_down)
    app.register_blueprint(api, url_prefix=engine.profile.rest_prefix or None)
    app.register_blueprint(inspection)
    return app


def _engine() -> Engine:
    engine: Engine = current_app.extensions[ENGINE_KEY]
    return engine


def _api_error(exc: ApiError) -> Response:
    return error(exc.code, exc.message, exc.status)


def _http_error(exc: HTTPException) -> Response:
    if exc.code == 405:
        return error(20004, f"Method not allowed: {request.method} {request.path}", 405)
    return error(20404, f"The requested resource {request.path} was not found", exc.code or 404)


def _authenticate() -> Response | None:
    """Check HTTP Basic auth against the account (media may be open, as Twilio allows)."""
    root = _engine().profile.rest_prefix + ROOT
    if not request.path.startswith(root + "/"):
        return None
    cfg = _engine().config
    media = "/Recordings/" in request.path and not request.path.endswith(".json")
    if media and request.method == "GET" and not cfg.media_auth:
        return None
    auth = request.authorization
    good = (
        auth is not None
        and hmac.compare_digest((auth.username or "").encode(), cfg.account_sid.encode())
        and hmac.compare_digest((auth.password or "").encode(), cfg.auth_token.encode())
    )
    if not good:
        return error(20003, "Authenticate", 401)
    account = request.path[len(root) + 1 :].split("/", 1)[0].removesuffix(".json")
    if account != cfg.account_sid:
        return error(20404, f"The requested resource {request.path} was not found", 404)
    return None


def _slow_down() -> None:
    """Hold back a REST API answer (never media) by the configured delay, like a slow or distant gateway."""
    delay = _engine().config.api_delay
    if delay > 0 and request.path.startswith(ROOT + "/") and request.path.endswith(".json"):
        time.sleep(delay)


def _find_call(sid: str) -> Call:
    call = _engine().store.call(sid)
    if call is None:
        raise ApiError(20404, f"The requested resource {request.path} was not found", 404)
    return call


@api.post(f"{ACCOUNT}/Calls.json")
def create_call(account: str) -> tuple[Response, int]:
    to, from_, options = call_options(request.form, _engine().profile)
    call = Call(sid=_engine().new_sid("CA"), account_sid=account, to=to, from_=from_, options=options)
    try:
        _engine().submit(call)
    except QueueFull as exc:
        raise ApiError(20429, f"Too Many Requests: {exc}; retry with backoff", 429) from exc
    return jsonify(call_json(call)), 201


@api.get(f"{ACCOUNT}/Calls.json")
def list_calls(account: str) -> Response:
    calls = [c for c in _engine().store.calls() if _call_matches(c, request.args)]
    return _page("calls", [call_json(c) for c in calls])


@api.get(f"{ACCOUNT}/Calls/<sid>.json")
def fetch_call(account: str, sid: str) -> Response:
    return jsonify(call_json(_find_call(sid)))


@api.post(f"{ACCOUNT}/Calls/<sid>.json")
def update_call(account: str, sid: str) -> Response:
    call = _find_call(sid)
    _update(call, request.form)
    return jsonify(call_json(call))


@api.delete(f"{ACCOUNT}/Calls/<sid>.json")
def delete_call(account: str, sid: str) -> tuple[str, int]:
    call = _find_call(sid)
    if not call.ended:
        raise ApiError(21220, f"Call {sid} is not finished; end it before deleting it", 400)
    _engine().store.delete_call(sid)
    return "", 204


@api.get(f"{ACCOUNT}/Calls/<sid>/Recordings.json")
def list_call_recordings(account: str, sid: str) -> Response:
    _find_call(sid)
    engine = _engine()
    recs = [r for r in engine.store.recordings() if r.call_sid == sid]
    return _page("recordings", [recording_json(r, engine.api_url, per_call=True) for r in recs])


@api.route(f"{ACCOUNT}/Calls/<sid>/Recordings/<rsid>.json", methods=["GET", "DELETE"])
def call_recording(account: str, sid: str, rsid: str) -> Any:
    engine = _engine()
    rec = engine.store.recording(rsid)
    if rec is None or rec.call_sid != sid:
        abort(404)
    if request.method == "DELETE":
        return _delete_recording(rsid)
    return jsonify(recording_json(rec, engine.api_url, per_call=True))


@api.get(f"{ACCOUNT}/Recordings.json")
def list_recordings(account: str) -> Response:
    args, engine = request.args, _engine()
    recs = engine.store.recordings(args.get("IncludeSoftDeleted", "false").lower() == "true")
    if args.get("CallSid"):
        recs = [r for r in recs if r.call_sid == args["CallSid"]]
    if args.get("ConferenceSid"):
        recs = []
    return _page("recordings", [recording_json(r, engine.api_url) for r in recs])


@api.route(f"{ACCOUNT}/Recordings/<name>", methods=["GET", "DELETE"])
def recording(account: str, name: str) -> Any:
    engine = _engine()
    sid, _, ext = name.partition(".")
    rec = engine.store.recording(sid)
    if rec is None or ext not in ("", "json", "wav", "mp3"):
        abort(404)
    if request.method == "DELETE":
        return _delete_recording(sid) if ext == "json" else abort(405)
    if ext == "json":
        return jsonify(recording_json(rec, engine.api_url))
    if time.monotonic() < rec.available_at:  # not stored yet, as Twilio may answer right after the action
        return error(20404, f"The requested resource {request.path} was not found", 404)
    if ext == "mp3":
        return send_file(audio.wav_to_mp3(rec.path), mimetype="audio/mpeg")
    return send_file(rec.path, mimetype="audio/x-wav")


@inspection.get("/_emulator/calls")
def inspect_calls() -> Response:
    engine = _engine()
    sid = request.args.get("sid")
    calls = [c for c in engine.store.calls() if not sid or c.sid == sid]
    return jsonify([call_report(c, engine.store) for c in calls])


@inspection.get("/_emulator/health")
def health() -> Response:
    engine = _engine()
    return jsonify({"ok": True, "active_calls": engine.active(), "speed": engine.speed})


def _delete_recording(sid: str) -> tuple[str, int]:
    rec = _engine().store.recording(sid)
    if rec is not None:
        rec.status, rec.date_updated = "deleted", now()
        for path in (rec.path, rec.path.with_suffix(".mp3")):
            path.unlink(missing_ok=True)
    return "", 204


def _update(call: Call, form: Any) -> None:
    status, redirect, changes = update_options(form)
    if not _engine().profile.call_options:
        changes = {}  # Somleng's Calls API reads no FallbackUrl, StatusCallback or TimeLimit on update
    if redirect and call.status != "in-progress":
        raise ApiError(21220, "Call is not in-progress. Cannot redirect.", 400)
    if changes:
        call.options = dataclasses.replace(call.options, **changes)
    if (status == "canceled" and call.status in ("queued", "ringing")) or status == "completed":
        _hang_up(call)
    if redirect:
        call.signals.raise_flag("redirect", redirect)


def _hang_up(call: Call) -> None:
    if call.ended:
        return
    if call.status == "queued":
        call.set_status("canceled")  # never dispatched: no callbacks at all
        call.end_time = now()
        call.log(0.0, "canceled")
        return
    call.signals.raise_flag("hangup", "completed" if call.status == "in-progress" else "canceled")


def _page(key: str, items: list[dict[str, Any]]) -> Response:
    args = request.args
    try:
        size = min(max(int(args.get("PageSize", "50")), 1), 1000)
        page = max(int(args.get("Page", "0")), 0)
    except ValueError as exc:
        raise ApiError(20001, "PageSize and Page must be whole numbers", 400) from exc
    query = {k: v for k, v in args.items() if k not in ("PageSize", "Page", "PageToken")}
    return jsonify(page_json(key, items, request.path, query, page, size))


DATE_FILTER = re.compile(r"^(StartTime|EndTime)([<>]?)$")


def _call_matches(call: Call, args: Any) -> bool:
    for field, attr in (
        ("To", "to"),
        ("From", "from_"),
        ("ParentCallSid", "parent_call_sid"),
        ("Status", "status"),
    ):
        if args.get(field) and getattr(call, attr) != args[field]:
            return False
    for key, value in args.items():
        m = DATE_FILTER.match(key)
        if not m or not value:
            continue
        moment = call.start_time if m.group(1) == "StartTime" else call.end_time
        day = moment.date().isoformat() if moment else ""
        wanted = value[:10]
        ok = {"": day == wanted, "<": bool(day) and day <= wanted, ">": bool(day) and day >= wanted}[
            m.group(2)
        ]
        if not ok:
            return False
    return True
