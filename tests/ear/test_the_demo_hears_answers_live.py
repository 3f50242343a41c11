"""`dialer demo` hears answers live by default (profile twilio): its own `dialer ear`, every answer stored
as heard, and the silence after each answer measured from the full-call recordings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection


def test_the_demo_hears_its_answers_on_the_stream_and_reports_the_silence_after_them(
    demo: tuple[dict[str, Any], Connection, Path],
) -> None:
    summary, conn, root = demo
    assert summary["listening"] == "stream"
    air = summary["dead_air"]
    assert air["answers"] > 50 and 0 < air["median_s"] <= air["p95_s"]
    heard = conn.execute(text("SELECT count(*) FROM heard_answers WHERE status = 'final'")).scalar_one()
    taken = conn.execute(
        text("SELECT count(*) FROM answers a JOIN heard_answers h ON h.clip_id = a.clip_id")
    ).scalar_one()
    assert heard > 50 and taken > 50  # the answers heard live are the call's answers, with the clips heard
    missing = conn.execute(
        text("SELECT count(*) FROM attempt_events WHERE name = 'ear_missing'")
    ).scalar_one()
    assert missing == 0
    assert "dialer ear listening" in (root / "ear.log").read_text(encoding="utf-8", errors="replace")
