"""Recordings already stored as WAV are archived in batches: the original goes only after the archive is kept
and recorded; a file that no longer matches its checksum is left as it is, and the worker does not retry it."""

from __future__ import annotations

import hashlib

from dialer.model import Database, Recording
from dialer.settings import Settings
from dialer.storage import open_stores
from dialer.worker.recordings_batch import archive_stored, waiting_ids
from tests.worker.conftest import two_channel_wav


def _stored(
    settings: Settings, db: Database, rid: int, name: str, data: bytes, sha: str | None = None
) -> None:
    path = settings.recordings_dir / "2026" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        rec.status, rec.path, rec.size = "stored", f"2026/{name}", len(data)
        rec.sha256 = sha or hashlib.sha256(data).hexdigest()


def _second(db: Database, rid: int) -> int:
    with db.session() as s, s.begin():
        first = s.get_one(Recording, rid)
        rec = Recording(attempt_id=first.attempt_id, kind="call", status="pending")
        s.add(rec)
        s.flush()
        return rec.id


def test_a_batch_archives_the_good_and_leaves_the_tampered(setup: tuple[Settings, Database, int]) -> None:
    settings, db, good = setup
    bad = _second(db, good)
    wav = two_channel_wav(3.0)
    _stored(settings, db, good, "good.wav", wav)
    _stored(settings, db, bad, "bad.wav", wav, sha="0" * 64)  # changed since it was stored
    stores = open_stores(settings)

    dry = archive_stored(settings, db, stores, dry_run=True)
    assert dry.archived == [good] and dry.bytes_after < dry.bytes_before / 5
    assert (settings.recordings_dir / "2026/good.wav").exists() and waiting_ids(db) == [good, bad]

    report = archive_stored(settings, db, stores, limit=10)
    assert report.archived == [good] and [rid for rid, _ in report.errors] == [bad]
    assert "SHA-256 不一致" in report.errors[0][1]
    with db.session() as s:
        kept, left = s.get_one(Recording, good), s.get_one(Recording, bad)
        assert (kept.path, kept.codec, kept.original_sha256) == (
            "2026/good.ogg",
            "opus",
            hashlib.sha256(wav).hexdigest(),
        )
        assert left.path == "2026/bad.wav" and left.codec == "wav" and left.sha256 == "0" * 64
    assert not (settings.recordings_dir / "2026/good.wav").exists()
    assert hashlib.sha256((settings.recordings_dir / "2026/good.ogg").read_bytes()).hexdigest() == kept.sha256
    assert (settings.recordings_dir / "2026/bad.wav").read_bytes() == wav  # untouched, for someone to look at
    assert waiting_ids(db) == [] and waiting_ids(db, again=True) == [bad]  # the worker leaves it alone now
