"""Archive recordings already stored as WAV, in batches: the worker's pass and `dialer recordings archive`.

Each recording is read from its store and checked against its stored SHA-256 (a file that no longer matches
is left alone and reported), encoded and verified, written to the main store with its lock, and the row is
committed; only then is the original deleted. A crash in between leaves a spare file, never a row pointing
at nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model import Database, Recording
from dialer.settings import Settings
from dialer.storage import Stores
from dialer.storage.base import read_all
from dialer.tasktypes import load_task_types
from dialer.worker.recordings_archive import CODECS, WAV, ArchiveError, archive
from dialer.worker.recordings_keep import key_for, lock_for, put, record_kept

log = logging.getLogger("dialer.worker")


@dataclass
class ArchiveReport:
    """What an archiving pass did (or, dry, would do)."""

    dry_run: bool
    archived: list[int] = field(default_factory=list)
    bytes_before: int = 0
    bytes_after: int = 0
    seconds: float = 0.0
    errors: list[tuple[int, str]] = field(default_factory=list)


def waiting_ids(db: Database, limit: int | None = None, *, again: bool = False) -> list[int]:
    """Return the stored full-call recordings still kept as WAV, oldest first.

    The worker takes only those never tried (`codec` empty); with `again`, also those an earlier try left as
    WAV (`codec` = wav), which is what `dialer recordings archive` does.
    """
    kept = or_(Recording.codec.is_(None), Recording.codec == "wav") if again else Recording.codec.is_(None)
    with db.session() as s:
        q = (select(Recording.id)
             .where(Recording.status == "stored", Recording.kind != "clip", kept)
             .order_by(Recording.id))  # fmt: skip
        return list(s.scalars(q.limit(limit) if limit else q))


def archive_stored(settings: Settings, db: Database, stores: Stores, *, limit: int | None = None,
                   dry_run: bool = False, again: bool = False,
                   each: Callable[[int], None] | None = None) -> ArchiveReport:  # fmt: skip
    """Archive up to `limit` stored WAVs (all by default); call `each(id)` after each one.

    A recording that cannot be archived stays WAV, marked so (`codec` = wav) that the worker does not try
    it again on every pass; a store that cannot be reached leaves it for the next pass.
    """
    report = ArchiveReport(dry_run)
    for rid in waiting_ids(db, limit, again=again):
        try:
            _archive_one(settings, db, stores, rid, report)
        except ArchiveError as exc:
            report.errors.append((rid, str(exc)))
            log.warning("recording %s: not archived, kept as WAV: %s", rid, exc)
            if not dry_run:
                _kept_as_wav(db, rid)
        except DialerError as exc:
            report.errors.append((rid, str(exc)))
            log.warning("recording %s: not archived: %s", rid, exc)
        if each is not None:
            each(rid)
    return report


def _kept_as_wav(db: Database, rid: int) -> None:
    with db.session() as s, s.begin():
        s.get_one(Recording, rid).codec = "wav"


def _archive_one(settings: Settings, db: Database, stores: Stores, rid: int, report: ArchiveReport) -> None:
    with db.session() as s:
        rec = s.get_one(Recording, rid)
        source, old_key, expected = stores.get(rec.store), rec.path or "", rec.sha256
    original = read_all(source, old_key)
    if expected and hashlib.sha256(original).hexdigest() != expected.lower():
        raise ArchiveError("文件与保存时的 SHA-256 不一致，可能被改动过：不压缩，保留原样待核查")
    codec = CODECS[settings.recordings_codec]
    audio = archive(original, codec if codec is not WAV else CODECS["opus"])
    report.bytes_before += len(original)
    report.bytes_after += len(audio.data)
    report.seconds += audio.seconds
    if report.dry_run:
        report.archived.append(rid)
        return
    now = utcnow()
    with db.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        lock = lock_for(s, rec, load_task_types(settings.config_dir), now)
        key, store = key_for(rec, audio, now), stores.main
        put(store, key, audio, lock)
        rec.original_sha256 = rec.original_sha256 or hashlib.sha256(original).hexdigest()
        rec.original_size = rec.original_size or len(original)
        record_kept(rec, store, key, audio, lock, now)
    report.archived.append(rid)
    if (source.name, old_key) != (store.name, key):
        source.delete(old_key)  # only now: the archive is verified, stored and recorded
