"""Transcribe customers' opinions (意见或建议) free-form, in the background, and make them ready to route.

The call only keeps the clip: free-form recognition is slow, so it never runs inside a webhook. A clip that
cannot be read or transcribed is tried again on later passes, up to `MAX_TRIES` times.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dialer.clock import utcnow
from dialer.model import Answer, Database, Recording
from dialer.model.states import SuggestionStatus
from dialer.model.suggestions import Suggestion, awaiting_transcription
from dialer.settings import Settings
from dialer.speech import SpeechModel, transcribe_free
from dialer.storage import Stores, open_stores
from dialer.storage.base import read_all

log = logging.getLogger("dialer.worker")


def transcribe_suggestions(
    settings: Settings,
    db: Database,
    speech: SpeechModel,
    now: datetime | None = None,
    stores: Stores | None = None,
) -> int:
    """Transcribe every suggestion still waiting for it; return how many were transcribed."""
    stores = stores or open_stores(settings)
    done = 0
    with db.session() as s:
        pending = [(row.id, row.clip_id) for row in awaiting_transcription(s)]
    for suggestion_id, clip_id in pending:
        with db.session() as s:
            clip = s.get_one(Recording, clip_id)
            where = (clip.store, clip.path)
        try:
            if where[1] is None:
                raise FileNotFoundError("the clip has no stored file")
            audio = read_all(stores.get(where[0]), where[1])
            text, error = transcribe_free(speech, audio).text, None
        except Exception as exc:  # an unreadable clip must not stop the others; it is retried later
            log.warning("suggestion %s: clip %s could not be transcribed: %s", suggestion_id, clip_id, exc)
            text, error = None, str(exc)
        _store(db, suggestion_id, text, error, now or utcnow())
        done += text is not None
    return done


def _store(db: Database, suggestion_id: int, text: str | None, error: str | None, now: datetime) -> None:
    with db.session() as s, s.begin():
        row = s.get_one(Suggestion, suggestion_id)
        row.tries += 1
        if text is None:
            row.last_error = error
            return
        row.transcript, row.transcribed_at, row.status = text, now, SuggestionStatus.NEW
        answer = s.get(Answer, row.answer_id)
        if answer is not None:
            answer.transcript = text  # the call page's answer list shows what was said
