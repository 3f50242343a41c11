"""With DIALER_RECORDINGS_URL=s3://…, the worker writes the archived recording to the bucket with an object-lock
retention date from its task type, and a customer under legal hold gets an object legal hold."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest

from dialer.model import Attempt, Database, Recording
from dialer.settings import Settings
from dialer.tasktypes import load_task_types
from tests.s3server import client, make_bucket, on_s3
from tests.worker.conftest import NOW, SID, FakeGateway, recording, run


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"calls-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, name)
    return name


def _hold(db: Database, rid: int) -> None:
    with db.session() as s, s.begin():
        s.get_one(Attempt, s.get_one(Recording, rid).attempt_id).task.customer.legal_hold = True


def test_the_archive_is_written_to_the_bucket_with_its_retention(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str], s3_endpoint: str, bucket: str
) -> None:
    settings, db, rid = setup
    settings = on_s3(settings, s3_endpoint, bucket)
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    assert rec.store == "s3" and rec.path == f"2026/11/{SID}.ogg" and rec.codec == "opus"
    s3 = client(s3_endpoint)
    head = s3.head_object(Bucket=bucket, Key=f"calls/{rec.path}")
    body = s3.get_object(Bucket=bucket, Key=f"calls/{rec.path}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == rec.sha256 and head["ContentType"] == "audio/ogg"
    retention = load_task_types(settings.config_dir)["claim"].retention
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == pytest.approx(NOW + retention, abs=timedelta(seconds=1))
    assert rec.retain_until == NOW + retention
    assert head.get("ObjectLockLegalHoldStatus", "OFF") == "OFF"
    assert not settings.recordings_dir.exists() or not any(settings.recordings_dir.rglob("*.*"))


def test_a_retained_object_cannot_be_deleted_before_its_date(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str], s3_endpoint: str, bucket: str
) -> None:
    settings, db, rid = setup
    run(on_s3(settings, s3_endpoint, bucket), db, NOW)
    s3 = client(s3_endpoint)
    key = f"calls/{recording(db, rid).path}"
    version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)


def test_a_customer_under_legal_hold_gets_an_object_legal_hold(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str], s3_endpoint: str, bucket: str
) -> None:
    settings, db, rid = setup
    _hold(db, rid)
    run(on_s3(settings, s3_endpoint, bucket), db, NOW)
    head = client(s3_endpoint).head_object(Bucket=bucket, Key=f"calls/{recording(db, rid).path}")
    assert head["ObjectLockLegalHoldStatus"] == "ON"


def test_an_unreachable_store_is_retried_then_told(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str], s3_endpoint: str
) -> None:
    settings, db, rid = setup
    settings = on_s3(settings, s3_endpoint, "no-such-bucket-here").replace(recording_max_tries=2)
    run(settings, db, NOW)
    rec = recording(db, rid)
    assert rec.status == "pending" and "保存到录音存储失败" in (rec.last_error or "")
    run(settings, db, rec.next_try_at or NOW)
    rec = recording(db, rid)
    assert rec.status == "failed" and "NoSuchBucket" in (rec.last_error or "")
