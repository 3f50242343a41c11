"""With the recordings in an S3 bucket (moto's server on 127.0.0.1), a follow-up's receipt is kept there too,
checked against its SHA-256 when it is viewed, and removed again when the follow-up cannot be saved."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import Database, FollowUp, TaskStatus
from dialer.services import services
from dialer.settings import Settings
from tests.s3server import client, make_bucket, on_s3
from tests.web.followup_seed import receipt_image, receipt_pdf, record, unreachable_tasks
from tests.web.seed import Seeded, get, sign_in


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str) -> Settings:
    bucket = f"calls-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, bucket)
    return on_s3(settings, s3_endpoint, bucket)


def _objects(app: Flask) -> dict[str, bytes]:
    s = services(app).settings
    bucket = s.recordings_url.removeprefix("s3://").split("/")[0]
    s3 = client(s.s3_endpoint_url)
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def test_a_receipt_is_kept_in_the_bucket_and_checked_when_viewed(
    app: Flask, client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    [task] = unreachable_tasks(database, [("claim", "理赔部", TaskStatus.UNREACHABLE)])
    photo = receipt_image("JPEG")
    sign_in(client, "supervisor")
    assert record(client, task, photo, "回执.jpg").status_code == 302
    with database.session() as s:
        row = s.scalars(select(FollowUp)).one()
    assert row.receipt_store == "s3" and row.receipt_sha256 == hashlib.sha256(photo).hexdigest()
    assert _objects(app) == {f"calls/{row.receipt_path}": photo}
    served = get(client, f"/followups/{row.id}/receipt")
    assert served.status_code == 200 and served.get_data() == photo
    assert "与登记时一致" in get(client, f"/followups/{row.id}").get_data(as_text=True)


def test_a_receipt_whose_follow_up_cannot_be_saved_is_removed_from_the_bucket(
    app: Flask, client: FlaskClient, database: Database, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    [task] = unreachable_tasks(database, [("claim", "理赔部", TaskStatus.UNREACHABLE)])

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("dialer.web.followups.fu.record", broken)
    sign_in(client, "supervisor")
    assert record(client, task, receipt_pdf(), "回执.pdf").status_code == 500
    assert _objects(app) == {}
