"""Every time on a page is local time in DIALER_TIMEZONE, never the UTC the database stores."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from dialer.model import CaseNote, Database, ProblemCase
from dialer.web.helpers import local_time
from tests.web.seed import Seeded, get, sign_in

WRITTEN = datetime(2026, 3, 10, 5, 24, tzinfo=UTC)  # 13:24 in Shanghai


def test_a_case_note_shows_the_time_it_was_written_in_shanghai(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    with database.session() as s, s.begin():
        s.add(
            CaseNote(
                case_id=seeded.case, author_id=seeded.users["agent"], body="已致电客户", created_at=WRITTEN
            )
        )
    sign_in(client, "agent")
    page = get(client, f"/cases/{seeded.case}").get_data(as_text=True)
    assert "2026-03-10 13:24" in page
    assert "05:24" not in page


def test_the_case_queue_and_the_call_page_show_local_times(
    client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    with database.session() as s, s.begin():
        s.get_one(ProblemCase, seeded.case).created_at = WRITTEN
    sign_in(client, "admin")
    assert "2026-03-10 13:24" in get(client, "/cases").get_data(as_text=True)
    call = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert "2026-03-10 10:10" in call  # placed 02:10 UTC


def test_the_filter_reads_a_naive_value_as_utc_not_as_the_servers_zone(app: Flask) -> None:
    with app.app_context():
        assert local_time(WRITTEN) == "2026-03-10 13:24"
        assert local_time(WRITTEN.replace(tzinfo=None)) == "2026-03-10 13:24"
        assert local_time(None) == ""


def test_another_zone_in_the_settings_moves_every_time(app: Flask) -> None:
    from dialer.services import services

    svc = services(app)
    svc.settings = svc.settings.replace(timezone="Asia/Urumqi")
    with app.app_context():
        assert local_time(WRITTEN) == "2026-03-10 11:24"
