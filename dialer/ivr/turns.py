"""One answer turn: fetch the clip, transcribe it within the time budget, classify, store, file problems."""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import GatewayError
from dialer.ivr.script import OPEN
from dialer.ivr.values import Answer, AnswerRecord, Event, Hangup
from dialer.model import Answer as AnswerRow
from dialer.model import Attempt, ProblemCase, Recording
from dialer.model.cases import file_problem_case
from dialer.model.heard import HeardAnswer
from dialer.model.suggestions import Suggestion
from dialer.policy.classify import classify
from dialer.services import Services

log = logging.getLogger("dialer.ivr")
KEY_LABELS = {"1": "yes", "2": "no", "0": "agent"}
TRANSCRIBE_RESERVE = 1.0  # seconds of the answer budget kept for the recognizer (it takes tens of ms)


@dataclass
class Heard:
    """What one turn brought: the event for the flow, and the clip and transcript to keep."""

    event: Event
    clip: bytes | None = None
    clip_sid: str | None = None
    clip_url: str | None = None
    clip_id: int | None = None  # a clip stored already (the one `dialer ear` heard)
    transcript: str = ""
    matched: str = ""
    elapsed: float = 0.0


def hear(svc: Services, form: dict[str, str], kind: str, no_input: bool) -> Heard:
    """Turn a <Record>/<Gather> action (or the no-input fallback) into a flow event."""
    digits = form.get("Digits", "")
    if digits == "hangup":
        return Heard(Hangup())
    if no_input:
        return Heard(Answer("no_answer"))
    if digits and digits in KEY_LABELS:
        return Heard(Answer(KEY_LABELS[digits], keys=digits), matched=f"key {digits}")
    url = form.get("RecordingUrl", "")
    if not url or form.get("RecordingDuration", "0") in ("", "0"):
        return Heard(Answer("no_answer"))
    if kind == OPEN:
        return _keep_opinion(svc, url, form.get("RecordingSid"))
    return _transcribe(svc, url, form.get("RecordingSid"), kind)


def fetch_seconds(budget: float) -> float:
    """Return how much of an answer's time budget fetching its clip may take (the rest is for transcribing)."""
    return max(budget - TRANSCRIBE_RESERVE, budget / 2)


def _keep_opinion(svc: Services, url: str, sid: str | None) -> Heard:
    """Keep a free answer's clip; it is transcribed free-form in the background, not during the call."""
    try:
        clip = svc.require_gateway().fetch_media(url)
    except GatewayError as exc:
        log.warning("opinion clip %s could not be fetched: %s", url, exc)
        return Heard(Answer("no_answer"), clip_url=url, clip_sid=sid)
    return Heard(Answer("open"), clip=clip, clip_sid=sid, clip_url=url, matched="open")


def _transcribe(svc: Services, url: str, sid: str | None, kind: str) -> Heard:
    started = time.monotonic()
    budget = svc.settings.answer_budget_seconds
    try:
        # The clip may 404 for a moment after the action arrives: keep trying, but leave time to transcribe.
        clip = svc.require_gateway().fetch_media(url, within=fetch_seconds(budget))
    except GatewayError as exc:
        log.warning("answer clip %s could not be fetched: %s", url, exc)
        return Heard(Answer("unclear"), clip_url=url, clip_sid=sid, elapsed=time.monotonic() - started)
    heard = Heard(Answer("unclear"), clip=clip, clip_sid=sid, clip_url=url)
    if svc.speech is None:  # no model: only keys are understood
        heard.elapsed = time.monotonic() - started
        return heard
    from dialer.speech import PAST_DEADLINE, recognize_answer

    deadline = started + budget
    future = svc.speech_pool.submit(recognize_answer, svc.speech, clip, kind, deadline=deadline)
    try:
        transcript = future.result(timeout=max(0.05, deadline - time.monotonic()))
    except FutureTimeout:
        future.cancel()  # still queued: never starts; running: it stops itself at the deadline
        transcript = None
    heard.elapsed = time.monotonic() - started
    if transcript is None or transcript.no_answer_reason == PAST_DEADLINE:
        log.warning("answer %s not transcribed within %.1f s: treated as unclear", sid, budget)
        return heard
    if transcript.no_answer_reason:
        heard.event = Answer("no_answer")
        heard.matched = transcript.no_answer_reason
        return heard
    return _classified(heard, transcript.text, kind)


def _classified(heard: Heard, text: str, kind: str) -> Heard:
    """Classify the words heard for a question of this kind (是/否/unclear …) and note what matched."""
    result = classify(text, kind)
    heard.event = Answer(result.label, transcript=result.text)
    heard.transcript, heard.matched = result.text, result.matched
    return heard


def hear_streamed(row: HeardAnswer, kind: str) -> Heard:
    """Turn what `dialer ear` heard on the stream into the same event a `<Record>` clip would make."""
    heard = Heard(Answer("unclear"), clip_id=row.clip_id)
    heard.elapsed = (row.server_ms or 0) / 1000
    if row.keys and row.keys[0] in KEY_LABELS:
        digit = row.keys[0]
        return Heard(Answer(KEY_LABELS[digit], keys=digit), clip_id=row.clip_id, matched=f"key {digit}")
    return _classified(heard, row.text, kind)


def store_turn(
    s: Session, svc: Services, attempt: Attempt, rec: AnswerRecord, heard: Heard, department: str | None,
    now: datetime,
) -> AnswerRow:  # fmt: skip
    """Store the answer (and its clip); a final bad or required-unclear answer becomes a problem case."""
    existing = s.scalar(
        select(AnswerRow).where(
            AnswerRow.attempt_id == attempt.id,
            AnswerRow.question_id == rec.question_id,
            AnswerRow.turn == rec.turn,
        )
    )
    if existing is not None:
        return existing  # a retried webhook: stored already
    clip = _store_clip(s, svc, attempt, rec, heard, now) if heard.clip is not None else None
    if clip is None and heard.clip_id is not None:
        clip = s.get(Recording, heard.clip_id)
    row = AnswerRow(
        attempt_id=attempt.id, question_id=rec.question_id, question_text=rec.question_text, turn=rec.turn,
        clip_id=clip.id if clip else None, transcript=heard.transcript, keys=rec.keys,
        label=rec.label, matched=heard.matched, problem=rec.problem, final=rec.final, created_at=now,
    )  # fmt: skip
    s.add(row)
    s.flush()
    if rec.label == "open" and rec.final and clip is not None:  # an opinion: a suggestion, never a problem
        s.add(Suggestion(attempt_id=attempt.id, task_id=attempt.task_id, answer_id=row.id, clip_id=clip.id,
                         question_id=rec.question_id, question_text=rec.question_text, created_at=now))  # fmt: skip
    if rec.problem and rec.final:
        file_problem_case(s, svc.dial_rules.calendar, svc.settings, ProblemCase(
            task_id=attempt.task_id, attempt_id=attempt.id, answer_id=row.id, question_id=rec.question_id,
            question_text=rec.question_text, answer_label=rec.label, transcript=heard.transcript,
            department=department, created_at=now,
        ))  # fmt: skip
    return row


def _store_clip(
    s: Session, svc: Services, attempt: Attempt, rec: AnswerRecord, heard: Heard, now: datetime
) -> Recording:
    assert heard.clip is not None
    name = f"{rec.question_id}-t{rec.turn}.wav"
    return keep_clip(
        s,
        svc.settings.recordings_dir,
        attempt.id,
        name,
        heard.clip,
        now,
        sid=heard.clip_sid,
        url=heard.clip_url,
    )


def keep_clip(
    s: Session, folder: Path, attempt_id: int, name: str, data: bytes, now: datetime, *,
    sid: str | None = None, url: str | None = None,
) -> Recording:  # fmt: skip
    """Write an answer clip under the recordings folder (never half-written) and note it with its SHA-256."""
    rel = Path(f"{now:%Y/%m/%d}") / f"attempt-{attempt_id}" / name
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # never leave a half-written clip under its final name
    clip = Recording(
        attempt_id=attempt_id, kind="clip", gateway_sid=sid, gateway_url=url, status="stored",
        path=str(rel), sha256=hashlib.sha256(data).hexdigest(), size=len(data), channels=1, stored_at=now,
    )  # fmt: skip
    if sid and s.scalar(select(Recording.id).where(Recording.gateway_sid == sid)):
        clip.gateway_sid = None  # the same clip noted twice: keep the file, not a duplicate key
    s.add(clip)
    s.flush()
    return clip


def describe(heard: Heard) -> dict[str, Any]:
    """Return what the timeline shows about this turn."""
    event = heard.event
    label = event.label if isinstance(event, Answer) else type(event).__name__
    return {
        "label": label,
        "transcript": heard.transcript,
        "matched": heard.matched,
        "ms": round(heard.elapsed * 1000),
    }
