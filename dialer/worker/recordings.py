"""Download finished recordings from the gateway, store them with their SHA-256, retry with backoff."""

from __future__ import annotations

import hashlib
import io
import logging
import wave
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select

from dialer.clock import utcnow
from dialer.errors import GatewayError
from dialer.gateway.client import Gateway
from dialer.model import Database, Recording
from dialer.settings import Settings

log = logging.getLogger("dialer.worker")
MAX_BACKOFF = timedelta(hours=1)
BATCH = 50


def download_due_recordings(
    settings: Settings, db: Database, gateway: Gateway, now: datetime | None = None
) -> int:
    """Store every pending recording whose next try is due; return how many were stored."""
    now = now or utcnow()
    with db.session() as s:
        ids = list(s.scalars(
            select(Recording.id)
            .where(Recording.status == "pending", Recording.kind != "clip",
                   or_(Recording.next_try_at.is_(None), Recording.next_try_at <= now))
            .order_by(Recording.id).limit(BATCH)
        ))  # fmt: skip
    return sum(_download(settings, db, gateway, rid, now) for rid in ids)


def _download(settings: Settings, db: Database, gateway: Gateway, rid: int, now: datetime) -> bool:
    with db.session() as s:
        rec = s.get_one(Recording, rid)
        url, sid = rec.gateway_url or "", rec.gateway_sid
    try:
        audio = gateway.fetch_media(url)
        duration, channels = _wav_facts(audio)
    except (GatewayError, ValueError) as exc:
        _failed(db, rid, str(exc), now)
        return False
    rel = Path(f"{now:%Y/%m}") / f"{sid or f'recording-{rid}'}.wav"
    path = settings.recordings_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(audio)
    digest = hashlib.sha256(audio).hexdigest()
    if hashlib.sha256(tmp.read_bytes()).hexdigest() != digest:
        _failed(db, rid, "stored file does not match the download", now)
        return False
    tmp.replace(path)
    with db.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        rec.status, rec.path, rec.sha256, rec.size = "stored", str(rel), digest, len(audio)
        rec.duration, rec.channels, rec.stored_at, rec.last_error = duration, channels, utcnow(), None
    if settings.delete_gateway_recordings and sid:
        _delete_remote(db, gateway, rid, sid)
    return True


def _wav_facts(audio: bytes) -> tuple[float, int]:
    """Return (seconds, channels) of a WAV file; a file that is not one is refused as corrupt."""
    try:
        with wave.open(io.BytesIO(audio)) as w:
            return w.getnframes() / float(w.getframerate()), w.getnchannels()
    except (wave.Error, EOFError) as exc:
        if audio[:4] == b"RIFF":  # µ-law and other non-PCM WAVs: trust the header's size
            return 0.0, 0
        raise ValueError(f"downloaded recording is not a WAV file ({exc})") from exc


def _failed(db: Database, rid: int, error: str, now: datetime) -> None:
    with db.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        rec.download_tries += 1
        rec.last_error = error
        rec.next_try_at = now + min(timedelta(seconds=5 * 2**rec.download_tries), MAX_BACKOFF)
    log.warning("recording %s: download failed (try %s): %s", rid, rec.download_tries, error)


def _delete_remote(db: Database, gateway: Gateway, rid: int, sid: str) -> None:
    try:
        gateway.delete_recording(sid)
    except GatewayError as exc:
        log.warning("recording %s: stored, but the gateway's copy was not deleted: %s", rid, exc)
        return
    with db.session() as s, s.begin():
        s.get_one(Recording, rid).gateway_deleted = True
