"""A recording that ended `failed` is told: counted and listed for supervisors and compliance, explained on
the call page, reported by `dialer doctor` and `dialer recordings failed`, and can be queued again."""

from __future__ import annotations

from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from dialer.cli import main
from dialer.model import Database, Recording
from dialer.services import services
from tests.web.seed import Seeded, get, sign_in

REASON = "网关上没有这段录音（HTTP 404），无法下载"


def _fail(database: Database, rec_id: int) -> None:
    with database.session() as s, s.begin():
        rec = s.get_one(Recording, rec_id)
        rec.status, rec.path, rec.sha256, rec.last_error, rec.download_tries = "failed", None, None, REASON, 1


def _cli(app: Flask, *args: str) -> Result:
    s = services(app).settings
    env = {"DIALER_DATABASE_URL": s.database_url, "DIALER_RECORDINGS_DIR": str(s.recordings_dir)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_supervisors_and_compliance_see_the_count_and_the_reason(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    _fail(database, seeded.call_recording)
    for role in ("supervisor", "compliance"):
        client = app.test_client()
        sign_in(client, role)
        page = get(client, "/recordings/failed").get_data(as_text=True)
        assert '<span id="failed-count">1</span>' in page and REASON in page and "张三" in page
        assert 'href="/recordings/failed"' in page  # the menu leads there
    agent = app.test_client()
    sign_in(agent, "agent")
    assert get(agent, "/recordings/failed").status_code == 403


def test_the_call_page_says_why_the_recording_is_missing(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    _fail(database, seeded.call_recording)
    sign_in(client, "compliance")
    page = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert f"录音保存失败：{REASON}" in page and "文件缺失" not in page


def test_doctor_fails_and_names_the_failed_recording(app: Flask, seeded: Seeded, database: Database) -> None:
    ok = _cli(app, "doctor")
    assert "保存失败的录音" in ok.output and "没有" in ok.output.split("保存失败的录音")[1][:40]
    _fail(database, seeded.call_recording)
    result = _cli(app, "doctor")
    assert result.exit_code == 1
    assert f"录音 {seeded.call_recording}" in result.output.replace("\n", "").replace("│", "")


def test_the_cli_lists_and_requeues_failed_recordings(app: Flask, seeded: Seeded, database: Database) -> None:
    _fail(database, seeded.call_recording)
    listed = _cli(app, "recordings", "failed")
    assert "保存失败的录音共 1 条" in listed.output and REASON in listed.output
    assert "已重新排队 1 条录音" in _cli(app, "recordings", "retry").output
    with database.session() as s:
        rec = s.get_one(Recording, seeded.call_recording)
        assert rec.status == "pending" and rec.download_tries == 0
