"""Under a line that cannot record a whole call (Somleng) the call page says so plainly; the clips remain."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from dialer.model import Database, Recording
from dialer.settings import Settings
from tests.web.seed import Seeded, sign_in

SAYS = "不能录制整通电话"


@pytest.fixture(params=["twilio", "somleng"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return settings.replace(gateway_profile=request.param)


def test_a_call_without_a_whole_recording_says_why(
    client: FlaskClient, seeded: Seeded, database: Database, settings: Settings
) -> None:
    with database.session() as s, s.begin():
        s.execute(delete(Recording).where(Recording.id == seeded.call_recording))
    sign_in(client, "compliance")
    page = client.get(f"/calls/{seeded.attempt}").get_data(as_text=True)
    if settings.profile.call_recording:
        assert SAYS not in page and "此通话没有已保存的全程录音" in page
    else:
        assert f"本系统接入的线路（Somleng）{SAYS}" in page
    assert f"/recordings/{seeded.clip}" in page  # the answer's clip is still there to play


def test_a_recorded_call_shows_its_recording_whatever_the_line(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    page = client.get(f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert SAYS not in page and f"/recordings/{seeded.call_recording}" in page
