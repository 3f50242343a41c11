"""A recording the gateway says is gone (404), or that keeps failing past its tries, ends `failed` with the
reason, and the worker stops asking for it."""

from __future__ import annotations

from datetime import timedelta

from dialer.model import Database
from dialer.settings import Settings
from tests.worker.conftest import NOW, FakeGateway, recording, run


def test_a_permanent_404_fails_at_once_with_the_reason(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media_status = 404
    assert run(settings, db, NOW) == 0
    rec = recording(db, rid)
    assert rec.status == "failed" and rec.download_tries == 1 and rec.next_try_at is None
    assert rec.last_error == "网关上没有这段录音（HTTP 404），无法下载"
    asked = len(fake[0].requests)
    assert run(settings, db, NOW + timedelta(days=1)) == 0
    assert len(fake[0].requests) == asked  # never asked again


def test_a_download_that_keeps_failing_ends_failed_after_its_tries(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    settings = settings.replace(recording_max_tries=3)
    fake[0].media_status = 503
    at = NOW
    for _ in range(2):
        run(settings, db, at)
        rec = recording(db, rid)
        assert rec.status == "pending" and rec.next_try_at is not None
        at = rec.next_try_at
    run(settings, db, at)
    rec = recording(db, rid)
    assert rec.status == "failed" and rec.download_tries == 3 and rec.next_try_at is None
    assert rec.last_error is not None
    assert rec.last_error.startswith("尝试 3 次仍未成功，已停止重试") and "HTTP 503" in rec.last_error
    fake[0].media_status = 200
    assert run(settings, db, at + timedelta(hours=2)) == 0  # failed stays failed until someone retries it


def test_an_unauthorised_gateway_is_retried_not_given_up_at_once(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media_status = 401  # wrong credentials: an operator can fix them, so it is worth trying again
    run(settings, db, NOW)
    rec = recording(db, rid)
    assert rec.status == "pending" and rec.download_tries == 1 and "HTTP 401" in (rec.last_error or "")
