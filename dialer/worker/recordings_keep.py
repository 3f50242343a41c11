"""What the worker keeps of a recording and how: the archive (or the WAV), its key, its lock, its row."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from dialer.model import Attempt, Recording
from dialer.policy.rules import TaskTypeRules
from dialer.settings import Settings
from dialer.storage import Store
from dialer.worker.recordings_archive import CODECS, WAV, ArchiveError, Audio, archive, wav_facts

log = logging.getLogger("dialer.worker")


@dataclass(frozen=True)
class Lock:
    """The object lock a kept recording is written with."""

    retain_until: datetime | None
    legal_hold: bool


def lock_for(session: Session, rec: Recording, types: dict[str, TaskTypeRules], now: datetime) -> Lock:
    """Retain for the task type's retention from now (never past the purge), and hold what the customer's hold holds."""
    task = session.get_one(Attempt, rec.attempt_id).task
    rules = types.get(task.type)
    return Lock(now + rules.retention if rules else None, task.customer.legal_hold)


def prepare(settings: Settings, wav: bytes, rid: int) -> Audio:
    """Return the archive of `wav` in the configured codec, or the WAV itself when archiving fails."""
    codec = CODECS[settings.recordings_codec]
    try:
        return archive(wav, codec)
    except ArchiveError as exc:
        if exc.permanent and codec is WAV:
            raise
        log.warning("recording %s: kept as WAV, archiving failed: %s", rid, exc)
        seconds, channels, _ = wav_facts(wav)
        return Audio(wav, WAV, seconds, channels)


def key_for(rec: Recording, audio: Audio, now: datetime) -> str:
    """Return where the kept file goes: the original's folder and name with the codec's suffix."""
    if rec.path:
        return str(PurePosixPath(rec.path).with_suffix(audio.codec.suffix))
    return f"{now:%Y/%m}/{rec.gateway_sid or f'recording-{rec.id}'}{audio.codec.suffix}"


def put(store: Store, key: str, audio: Audio, lock: Lock) -> None:
    """Write the kept file with its lock (the lock only once the file is in its final form)."""
    store.put(key, audio.data, audio.codec.mimetype, retain_until=lock.retain_until,
              legal_hold=lock.legal_hold)  # fmt: skip


def record_kept(rec: Recording, store: Store, key: str, audio: Audio, lock: Lock, now: datetime) -> None:
    """Point the row at the kept file: its checksum, size, facts, codec and lock date."""
    rec.store, rec.path, rec.sha256, rec.size = store.name, key, audio.sha256, len(audio.data)
    rec.duration, rec.channels, rec.codec = audio.seconds, audio.channels, audio.codec.name
    rec.retain_until = lock.retain_until
    if audio.codec is not WAV:
        rec.archived_at = now
