"""The same campaign with DIALER_RECORDINGS_URL on an S3 server (moto's, on 127.0.0.1): every full-call and agent
recording lands in the bucket as Ogg Opus, under object-lock retention from its task type, checksum intact."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.model import Recording
from dialer.tasktypes import load_task_types
from tests.call.conftest import CUSTOMERS, PERSONAS
from tests.call.line import Line, open_line
from tests.s3server import KEY_ID, SECRET, client, make_bucket

BUCKET = f"campaign-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def s3_campaign(tmp_path_factory: pytest.TempPathFactory, speech: object, s3_endpoint: str) -> Iterator[Line]:
    make_bucket(s3_endpoint, BUCKET)
    root: Path = tmp_path_factory.mktemp("s3-campaign")
    with open_line(root, PERSONAS, speech, recordings_url=f"s3://{BUCKET}/calls", s3_endpoint_url=s3_endpoint,
                   s3_access_key_id=KEY_ID, s3_secret_access_key=SECRET) as line:  # fmt: skip
        for scenario in ("all_yes", "key_zero"):
            line.add(*CUSTOMERS[scenario])
        assert all(c.call_sid for c in line.dial())
        line.settle()
        yield line


def test_every_recording_is_in_the_bucket_locked_and_intact(s3_campaign: Line, s3_endpoint: str) -> None:
    with s3_campaign.session() as s:
        rows = list(s.scalars(select(Recording).where(Recording.kind != "clip")))
    assert sorted(r.kind for r in rows) == ["agent_leg", "call", "call"]
    retention = load_task_types(s3_campaign.settings.config_dir)["new_policy"].retention
    s3 = client(s3_endpoint)
    for rec in rows:
        assert (rec.status, rec.store, rec.codec, rec.channels) == ("stored", "s3", "opus", 2), rec.last_error
        head = s3.head_object(Bucket=BUCKET, Key=f"calls/{rec.path}")
        body = s3.get_object(Bucket=BUCKET, Key=f"calls/{rec.path}")["Body"].read()
        assert hashlib.sha256(body).hexdigest() == rec.sha256 and rec.original_sha256 != rec.sha256
        assert head["ObjectLockMode"] == "COMPLIANCE" and rec.retain_until is not None
        assert head["ObjectLockRetainUntilDate"] == pytest.approx(rec.retain_until, abs=timedelta(seconds=1))
        assert rec.stored_at is not None
        assert rec.retain_until == pytest.approx(rec.stored_at + retention, abs=timedelta(minutes=5))
    folder = s3_campaign.settings.recordings_dir
    assert not [p for p in folder.rglob("*") if p.is_file() and p.name.startswith(("RE", "CA"))]
