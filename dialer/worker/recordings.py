"""Download finished recordings from the gateway, archive and store them with their SHA-256, retry with backoff.

A recording that cannot be stored after `DIALER_RECORDING_MAX_TRIES` tries, or that the gateway says is gone
(404), ends `failed` with the reason in `last_error`: the console, the call page and `dialer doctor` show it.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from dialer.clock import utcnow
from dialer.errors import DialerError, GatewayError
from dialer.gateway.client import Gateway
from dialer.gateway.media import MediaRefused
from dialer.model import Database, Recording
from dialer.settings import Settings
from dialer.storage import StoreError, Stores, open_stores
from dialer.tasktypes import load_task_types
from dialer.worker.reconcile import drop_placeholders, recover_lost_recordings
from dialer.worker.recordings_archive import ArchiveError, wav_facts
from dialer.worker.recordings_batch import archive_stored
from dialer.worker.recordings_keep import key_for, lock_for, prepare, put, record_kept

log = logging.getLogger("dialer.worker")
MAX_BACKOFF = timedelta(hours=1)
BATCH = 50


def download_due_recordings(settings: Settings, db: Database, gateway: Gateway, now: datetime | None = None,
                            stores: Stores | None = None) -> int:  # fmt: skip
    """Store every pending recording whose next try is due, then archive a batch of stored WAVs.

    Return how many recordings were downloaded and stored.
    """
    now = now or utcnow()
    stores = stores or open_stores(settings)
    recover_lost_recordings(db, gateway, now)
    with db.session() as s:
        ids = list(s.scalars(
            select(Recording.id)
            .where(Recording.status == "pending", Recording.kind != "clip",
                   or_(Recording.next_try_at.is_(None), Recording.next_try_at <= now))
            .order_by(Recording.id).limit(BATCH)
        ))  # fmt: skip
    stored = sum(_download(settings, db, gateway, stores, rid, now) for rid in ids)
    if settings.recordings_codec != "wav":
        archive_stored(settings, db, stores, limit=BATCH)
    return stored


def _download(settings: Settings, db: Database, gateway: Gateway, stores: Stores, rid: int,
              now: datetime) -> bool:  # fmt: skip
    with db.session() as s:
        rec = s.get_one(Recording, rid)
        url, sid, attempt_id, kind = rec.gateway_url or "", rec.gateway_sid, rec.attempt_id, rec.kind
    try:
        original = gateway.fetch_media(url)
        wav_facts(original)
        audio = prepare(settings, original, rid)
    except (GatewayError, ArchiveError) as exc:
        _failed(settings, db, rid, exc, now)
        return False
    try:
        with db.session() as s, s.begin():
            rec = s.get_one(Recording, rid)
            lock = lock_for(s, rec, load_task_types(settings.config_dir), now)
            key, store = key_for(rec, audio, now), stores.main
            put(store, key, audio, lock)
            record_kept(rec, store, key, audio, lock, now)
            rec.status, rec.stored_at, rec.last_error, rec.next_try_at = "stored", utcnow(), None, None
            rec.original_sha256, rec.original_size = hashlib.sha256(original).hexdigest(), len(original)
    except StoreError as exc:
        _failed(settings, db, rid, exc, now)
        return False
    if kind == "call":
        drop_placeholders(db, attempt_id)
    if settings.delete_gateway_recordings and sid:
        _delete_remote(db, gateway, rid, sid)
    return True


def _reason(exc: DialerError) -> str:
    if isinstance(exc, MediaRefused):
        return f"录音地址不可信，未下载：{exc}"
    if isinstance(exc, GatewayError) and exc.status == 404:
        return "网关上没有这段录音（HTTP 404），无法下载"
    if isinstance(exc, GatewayError):
        return f"从网关下载失败：{exc}"
    if isinstance(exc, StoreError):
        return f"保存到录音存储失败：{exc}"
    return f"下载的录音无法使用：{exc}"


def _gone(exc: DialerError) -> bool:
    """Whether no retry can bring the recording back: the gateway says it is gone, or its URL is on a host
    media is never fetched from (the URL came in the callback and will not change).

    Anything an operator can fix (credentials, a missing bucket, a full disk) is tried again, up to the limit.
    """
    return isinstance(exc, MediaRefused) or (isinstance(exc, GatewayError) and exc.status in (404, 410))


def _failed(settings: Settings, db: Database, rid: int, exc: DialerError, now: datetime) -> None:
    """Count a failed try: wait longer each time, and give up (status `failed`) when retrying cannot help."""
    reason = _reason(exc)
    with db.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        rec.download_tries += 1
        tries = rec.download_tries
        gone = _gone(exc)
        if gone or tries >= settings.recording_max_tries:
            rec.status, rec.next_try_at = "failed", None
            rec.last_error = reason if gone else f"尝试 {tries} 次仍未成功，已停止重试；最后一次：{reason}"
        else:
            rec.last_error = reason
            rec.next_try_at = now + min(timedelta(seconds=5 * 2**tries), MAX_BACKOFF)
        status = rec.status
    log.warning("recording %s: try %s failed (%s): %s", rid, tries, status, exc)


def _delete_remote(db: Database, gateway: Gateway, rid: int, sid: str) -> None:
    try:
        gateway.delete_recording(sid)
    except GatewayError as exc:
        log.warning("recording %s: stored, but the gateway's copy was not deleted: %s", rid, exc)
        return
    with db.session() as s, s.begin():
        s.get_one(Recording, rid).gateway_deleted = True
