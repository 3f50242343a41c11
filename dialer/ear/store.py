"""What the ear reads and writes in the database: the question a stream is for, and the answer it heard.

Blocking (SQLAlchemy): the server runs these in threads, never on its event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from dialer.ear.listener import Final
from dialer.ivr.turns import keep_clip
from dialer.model import Attempt, Database, HeardAnswer, HeardStatus
from dialer.model.heard import heard_for
from dialer.settings import Settings

log = logging.getLogger("dialer.ear")


@dataclass(frozen=True)
class Question:
    """The question a stream hears: its call, step, grammar kind, and the document that waits (barge-in)."""

    attempt_id: int
    step: int
    call_sid: str
    kind: str
    wait_twiml: str
    heard_id: int


def open_question(
    db: Database, attempt_id: int, step: int, call_sid: str, stream_sid: str
) -> Question | None:
    """Return the question this stream is for, noting that the ear listens; None if it is not being asked."""
    with db.session() as s, s.begin():
        attempt = s.get(Attempt, attempt_id)
        if attempt is None or (attempt.call_sid and call_sid and attempt.call_sid != call_sid):
            return None
        stream = attempt.ivr_state.get("stream") or {}
        if stream.get("turn") != step or attempt.ivr_state.get("handled") == step:
            return None
        row = heard_for(s, attempt_id, step)
        if row is not None and row.status == HeardStatus.FINAL:
            return None  # heard already: a stream started again for a question answered
        if row is None:
            row = HeardAnswer(attempt_id=attempt_id, step=step, stream_sid=stream_sid, kind=stream["kind"])
            s.add(row)
            try:
                s.flush()
            except IntegrityError:
                return None  # another ear process took this question's stream first
        return Question(
            attempt_id, step, attempt.call_sid or call_sid, stream["kind"], stream.get("wait", ""), row.id
        )


def still_asked(db: Database, q: Question) -> bool:
    """Return whether the call is still waiting on this question (its `<Pause>` has not run out)."""
    with db.session() as s:
        attempt = s.get(Attempt, q.attempt_id)
        if attempt is None:
            return False
        stream = attempt.ivr_state.get("stream") or {}
        return stream.get("turn") == q.step and attempt.ivr_state.get("handled") != q.step


def note_barge_in(db: Database, q: Question) -> None:
    with db.session() as s, s.begin():
        row = s.get(HeardAnswer, q.heard_id)
        if row is not None:
            row.barged_in = True


def keep_answer(
    db: Database, settings: Settings, q: Question, final: Final | None, keys: str, now: datetime
) -> bool:
    """Store the heard answer (words or a key) and its clip; return False if the call moved on meanwhile."""
    with db.session() as s, s.begin():
        attempt = s.get(Attempt, q.attempt_id, with_for_update=db.is_postgres)
        row = s.get(HeardAnswer, q.heard_id)
        if attempt is None or row is None or row.status == HeardStatus.FINAL:
            return False
        stream = attempt.ivr_state.get("stream") or {}
        if stream.get("turn") != q.step or attempt.ivr_state.get("handled") == q.step:
            return False
        if final is not None:
            clip = keep_clip(
                s, settings.recordings_dir, q.attempt_id, f"heard-s{q.step}.wav", final.clip, now
            )
            row.clip_id = clip.id
            row.text = final.text
            row.speech_start_ms, row.speech_end_ms = final.speech_start_ms, final.speech_end_ms
            row.final_ms = final.final_ms
        row.keys = keys
        row.status = HeardStatus.FINAL
        row.heard_at = now
    return True


def note_server_time(db: Database, q: Question, server_ms: int) -> None:
    with db.session() as s, s.begin():
        row = s.get(HeardAnswer, q.heard_id)
        if row is not None:
            row.server_ms = server_ms
