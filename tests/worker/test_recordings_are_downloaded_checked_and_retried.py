"""The recording worker: a finished call's recording is fetched over HTTP, checked, archived in Ogg Opus and
stored with its SHA-256 (the original's beside it), and retried with growing pauses when the gateway fails;
the gateway's copy is deleted only when asked.

The gateway is a small WSGI app on 127.0.0.1 that answers the two requests the worker makes (media GET and the
REST DELETE of 2010-04-01) and can be told to fail.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from dialer.model import Database, Recording
from dialer.settings import Settings
from dialer.worker.recordings import MAX_BACKOFF
from dialer.worker.recordings_archive import channel_count, decoded_seconds
from tests.worker.conftest import NOW, SID, FakeGateway, recording, run


def test_a_recording_is_stored_with_its_checksum_and_facts(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    stored = settings.recordings_dir / (rec.path or "")
    kept = stored.read_bytes()
    assert rec.status == "stored" and rec.codec == "opus" and kept[:4] == b"OggS"
    assert rec.sha256 == hashlib.sha256(kept).hexdigest() and rec.size == len(kept) < len(fake[0].media) / 5
    assert rec.original_sha256 == hashlib.sha256(fake[0].media).hexdigest()
    assert rec.original_size == len(fake[0].media)
    assert rec.channels == 2 and rec.duration == pytest.approx(2.0)
    assert channel_count(kept) == 2 and decoded_seconds(kept, 8000, 2) == pytest.approx(2.0, abs=0.05)
    assert rec.path == f"2026/11/{SID}.ogg" and rec.store == "folder"
    assert not list(stored.parent.glob("*.part"))  # written whole, then moved into place
    assert (
        "DELETE",
        f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}.json",
    ) not in fake[0].requests
    assert run(settings, db, NOW + timedelta(hours=1)) == 0  # stored once, never fetched again


def test_a_failing_gateway_is_retried_with_growing_pauses_until_it_answers(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    gw = fake[0]
    gw.media_status = 503
    at, pauses = NOW, []
    for _ in range(4):
        assert run(settings, db, at) == 0
        rec = recording(db, rid)
        assert rec.status == "pending" and "HTTP 503" in (rec.last_error or "")
        assert rec.next_try_at is not None
        pauses.append(rec.next_try_at - at)
        assert run(settings, db, rec.next_try_at - timedelta(seconds=1)) == 0  # not before its time
        at = rec.next_try_at
    assert pauses == [
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
        timedelta(seconds=80),
    ]
    assert recording(db, rid).download_tries == 4
    gw.media_status = 200
    assert run(settings, db, at) == 1
    rec = recording(db, rid)
    assert rec.status == "stored" and rec.last_error is None


def test_the_pause_between_tries_never_exceeds_an_hour(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media_status = 500
    settings = settings.replace(recording_max_tries=100)
    with db.session() as s, s.begin():
        s.get_one(Recording, rid).download_tries = 30
    run(settings, db, NOW)
    assert recording(db, rid).next_try_at == NOW + MAX_BACKOFF


def test_a_download_that_is_not_audio_is_refused_and_nothing_is_written(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media = b"<html>502 Bad Gateway</html>"
    assert run(settings, db, NOW) == 0
    rec = recording(db, rid)
    assert rec.status == "pending" and "不是可识别的 WAV 文件" in (rec.last_error or "")
    assert not settings.recordings_dir.exists() or not any(settings.recordings_dir.rglob("*"))


def test_the_gateways_copy_is_deleted_only_when_asked_and_a_failed_delete_keeps_ours(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    settings = settings.replace(delete_gateway_recordings=True)
    fake[0].delete_status = 500
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    assert rec.status == "stored" and not rec.gateway_deleted  # our copy is safe; theirs is still there
    delete = ("DELETE", f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}.json")
    assert delete in fake[0].requests

    with db.session() as s, s.begin():  # a second recording, and this time the gateway deletes it
        r = s.get_one(Recording, rid)
        r.status, r.gateway_sid = "pending", "RE" + "b" * 32
    fake[0].delete_status = 204
    assert run(settings, db, NOW) == 1
    assert recording(db, rid).gateway_deleted


def test_a_second_run_of_the_same_file_from_disk_matches_its_checksum(
    setup: tuple[Settings, Database, int],
) -> None:
    settings, db, rid = setup
    run(settings, db, NOW)
    rec = recording(db, rid)
    data = Path(settings.recordings_dir / (rec.path or "")).read_bytes()
    assert hashlib.sha256(data).hexdigest() == rec.sha256


def test_with_the_wav_codec_the_download_is_kept_as_it_came(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    settings = settings.replace(recordings_codec="wav")
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    assert rec.path == f"2026/11/{SID}.wav" and rec.codec == "wav" and rec.archived_at is None
    assert (settings.recordings_dir / rec.path).read_bytes() == fake[0].media
    assert rec.sha256 == rec.original_sha256 == hashlib.sha256(fake[0].media).hexdigest()
