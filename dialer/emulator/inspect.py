"""Inspection: each call with its event log, the TwiML it ran and the webhooks it sent."""

from __future__ import annotations

from typing import Any

import requests

from dialer.emulator.state import Call, Store, rfc2822
from dialer.errors import DialerError


def call_report(call: Call, store: Store) -> dict[str, Any]:
    """Describe one call for GET /_emulator/calls."""
    return {
        "sid": call.sid,
        "to": call.to,
        "from": call.from_,
        "status": call.status,
        "direction": call.direction,
        "parent_call_sid": call.parent_call_sid,
        "persona": call.persona,
        "duration": call.duration,
        "answered_by": call.answered_by,
        "date_created": rfc2822(call.date_created),
        "recordings": [r.sid for r in store.recordings() if r.call_sid == call.sid],
        "events": list(call.events),
        "documents": list(call.documents),
        "webhooks": list(call.webhooks),
        "streams": [dict(s) for s in call.streams],
    }


def fetch_calls(url: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Read the inspection list from a running emulator."""
    try:
        resp = requests.get(url.rstrip("/") + "/_emulator/calls", timeout=timeout)
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise DialerError(
            f"cannot read calls from the emulator at {url}: {exc}; is `dialer emulator` running?"
        ) from exc
    data: list[dict[str, Any]] = resp.json()
    return data


def summary_lines(calls: list[dict[str, Any]]) -> list[str]:
    """Render calls as plain text: one line per call, then its events and webhooks indented."""
    lines = []
    for c in calls:
        lines.append(
            f"{c['sid']}  {c['from']} → {c['to']}  {c['status']}  {c['duration'] or 0}s  [{c['persona']}]"
        )
        for e in c["events"]:
            detail = " ".join(f"{k}={v}" for k, v in e.items() if k not in ("t", "at", "event"))
            lines.append(f"    {e['t']:>8.2f}s  {e['event']}  {detail}".rstrip())
        for w in c["webhooks"]:
            lines.append(f"    webhook {w['kind']} {w['method']} {w['url']} → {w['status'] or w['error']}")
        for m in c.get("streams", []):
            lines.append(f"    stream {m['name']} {m['url']} → {m['status']} ({m.get('chunks', 0)} frames)")
    return lines
