"""With the recordings in an S3 bucket (moto's server on 127.0.0.1): `dialer recordings archive` moves the stored
WAVs there as Ogg Opus, the console plays them with Range requests, checks them and bundles them as evidence;
purge deletes every version of what is past retention, skips legal holds, and cannot delete what is locked."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from dialer.cli import main
from dialer.clock import utcnow
from dialer.model import Database, Recording, Task
from dialer.services import services
from dialer.settings import Settings
from dialer.storage import open_stores
from tests.s3server import KEY_ID, SECRET, client, make_bucket, on_s3
from tests.web.seed import Seeded, get, seed, sign_in


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str) -> Settings:
    bucket = f"calls-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, bucket)
    return on_s3(settings, s3_endpoint, bucket)


def _cli(app: Flask, *args: str) -> Result:
    s = services(app).settings
    env = {"DIALER_DATABASE_URL": s.database_url, "DIALER_RECORDINGS_DIR": str(s.recordings_dir),
           "DIALER_RECORDINGS_URL": s.recordings_url, "DIALER_S3_ENDPOINT_URL": s.s3_endpoint_url,
           "DIALER_S3_ACCESS_KEY_ID": KEY_ID, "DIALER_S3_SECRET_ACCESS_KEY": SECRET}  # fmt: skip
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _bucket(app: Flask) -> tuple[object, str]:
    s = services(app).settings
    return client(s.s3_endpoint_url), s.recordings_url.removeprefix("s3://").split("/")[0]


def _row(database: Database, rid: int) -> Recording:
    with database.session() as s:
        return s.get_one(Recording, rid)


def test_archive_moves_the_wavs_to_the_bucket_and_the_console_plays_them(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    root = services(app).settings.recordings_dir
    original = (root / f"{seeded.attempt}/call.wav").read_bytes()
    dry = _cli(app, "recordings", "archive", "--dry-run")
    assert (
        dry.exit_code == 0
        and "可压缩 1 条录音" in dry.output
        and _row(database, seeded.call_recording).codec is None
    )
    result = _cli(app, "recordings", "archive")
    assert result.exit_code == 0, result.output
    assert "已压缩 1 条录音" in result.output
    rec = _row(database, seeded.call_recording)
    assert (rec.store, rec.codec, rec.path) == ("s3", "opus", f"{seeded.attempt}/call.ogg")
    assert rec.original_sha256 == hashlib.sha256(original).hexdigest() and rec.original_size == len(original)
    assert not (root / f"{seeded.attempt}/call.wav").exists()  # deleted only after the archive was kept
    s3, bucket = _bucket(app)
    head = s3.head_object(Bucket=bucket, Key=f"calls/{rec.path}")  # type: ignore[attr-defined]
    assert head["ObjectLockMode"] == "COMPLIANCE" and head[
        "ObjectLockRetainUntilDate"
    ] > utcnow() + timedelta(days=3000)
    whole = s3.get_object(Bucket=bucket, Key=f"calls/{rec.path}")["Body"].read()  # type: ignore[attr-defined]
    assert hashlib.sha256(whole).hexdigest() == rec.sha256

    sign_in(client, "compliance")
    resp = get(client, f"/recordings/{rec.id}", headers={"Range": "bytes=100-599"})
    assert resp.status_code == 206 and resp.mimetype == "audio/ogg"
    assert resp.headers["Content-Range"] == f"bytes 100-599/{len(whole)}" and resp.data == whole[100:600]
    assert (
        get(client, f"/recordings/{rec.id}", headers={"Range": f"bytes={len(whole) + 5}-"}).status_code == 416
    )
    page = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert "校验一致 SHA-256" in page and "已压缩存档（Opus）" in page
    bundle = zipfile.ZipFile(io.BytesIO(get(client, f"/calls/{seeded.attempt}/evidence.zip").data))
    assert bundle.read(f"recordings/call-{rec.id}.ogg") == whole
    assert f"recordings/call-{rec.id}.ogg" in bundle.read("SHA256SUMS").decode()


def _put(app: Flask, database: Database, rid: int, *, locked: bool) -> str:
    """Move a seeded recording into the bucket; `locked` writes it with a retention date still ahead."""
    stores = open_stores(services(app).settings)
    with database.session() as s, s.begin():
        rec = s.get_one(Recording, rid)
        data = (stores.folder.root / (rec.path or "")).read_bytes()
        stores.main.put(rec.path or "", data, "audio/wav",
                        retain_until=utcnow() + timedelta(days=30) if locked else None)  # fmt: skip
        stores.folder.delete(rec.path or "")
        rec.store = "s3"
        return rec.path or ""


def _close(database: Database, task_id: int, days_ago: int) -> None:
    with database.session() as s, s.begin():
        s.get_one(Task, task_id).closed_at = utcnow() - timedelta(days=days_ago)


def _versions(app: Flask, key: str) -> list[object]:
    s3, bucket = _bucket(app)
    found = s3.list_object_versions(Bucket=bucket, Prefix=f"calls/{key}")  # type: ignore[attr-defined]
    return found.get("Versions", []) + found.get("DeleteMarkers", [])


def test_purge_and_legal_hold_behave_as_on_the_folder(app: Flask, database: Database) -> None:
    root = services(app).settings.recordings_dir
    # A lock cannot be aged in a test: the expired call's object is written without one, as it stands once
    # its date has passed (the lock runs from storing, the purge from closing: the lock always ends first).
    expired = seed(database, root, name="张三", phone="+8613812341234")
    held = seed(database, root, name="李四", phone="+8613912345678")
    gone_key = _put(app, database, expired.call_recording, locked=False)
    held_key = _put(app, database, held.call_recording, locked=False)
    for s in (expired, held):
        _close(database, s.task, 4000)
    hold = _cli(app, "recordings", "hold", str(held.customer))
    assert hold.exit_code == 0 and f"客户 {held.customer} 的法律保留已设置" in hold.output
    s3, bucket = _bucket(app)
    assert s3.head_object(Bucket=bucket, Key=f"calls/{held_key}")["ObjectLockLegalHoldStatus"] == "ON"  # type: ignore[attr-defined]
    result = _cli(app, "purge")
    assert result.exit_code == 0, result.output
    assert "已清理 1 个任务：录音 2 条，文件 2 个" in result.output and "法律保留" in result.output
    assert _versions(app, gone_key) == [] and len(_versions(app, held_key)) == 1
    assert _row(database, expired.call_recording).status == "purged"


def test_purge_cannot_delete_an_object_still_locked_and_says_so(app: Flask, database: Database) -> None:
    early = seed(database, services(app).settings.recordings_dir)
    key = _put(app, database, early.call_recording, locked=True)
    _close(database, early.task, 4000)
    result = _cli(app, "purge")
    assert result.exit_code == 1 and f"无法删除 {key}" in result.output
    assert "AccessDenied" in result.output
    assert len(_versions(app, key)) == 1  # the lock wins; a later purge run tries again
