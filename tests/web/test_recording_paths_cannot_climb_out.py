"""A recording whose stored path points outside the store is never served (path traversal)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.model import Database, Recording
from dialer.services import services
from tests.web.seed import Seeded, get, sign_in, write_wav


def _point_recording_at(database: Database, rec_id: int, path: str) -> None:
    with database.session() as s, s.begin():
        s.get_one(Recording, rec_id).path = path


@pytest.mark.parametrize("stored", ["../secret.wav", "../../secret.wav", "{abs}", "1/../../secret.wav"])
def test_a_path_outside_the_store_gets_404(app: Flask, client: FlaskClient, seeded: Seeded, database: Database,
                                           stored: str) -> None:  # fmt: skip
    root = services(app).settings.recordings_dir
    secret = root.parent / "secret.wav"
    write_wav(secret, 0.2)
    _point_recording_at(database, seeded.call_recording, stored.format(abs=secret))
    sign_in(client, "admin")
    for url in (f"/recordings/{seeded.call_recording}", f"/recordings/{seeded.call_recording}/download"):
        assert get(client, url).status_code == 404


def test_a_symlink_out_of_the_store_gets_404(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    root = services(app).settings.recordings_dir
    secret = root.parent / "secret.wav"
    write_wav(secret, 0.2)
    (root / "link.wav").symlink_to(secret)
    _point_recording_at(database, seeded.call_recording, "link.wav")
    sign_in(client, "compliance")
    assert get(client, f"/recordings/{seeded.call_recording}").status_code == 404


def test_a_path_in_the_url_is_not_a_route(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    for url in ("/recordings/..%2F..%2Fetc%2Fpasswd", "/recordings/../../etc/passwd", "/recordings/1.wav"):
        assert get(client, url).status_code == 404
