"""A console sign-in lives on the server: signing out ends it even for a copied cookie, a role change ends it,
and it ends after DIALER_SESSION_IDLE_MINUTES idle or DIALER_SESSION_MAX_HOURS in all.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from dialer.clock import FixedClock
from dialer.model import Database
from dialer.model.users import set_role
from tests.web.seed import Seeded, post, sign_in


def _signed_in(client: FlaskClient) -> bool:
    resp = client.get("/audit")
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a second browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def test_signing_out_ends_the_session_for_a_copied_cookie(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    sign_in(client, "compliance")
    stolen = _copy(app, client)
    assert _signed_in(stolen)
    post(client, "/logout", page="/audit")
    assert not _signed_in(client)
    assert not _signed_in(stolen)


def test_a_role_change_ends_the_session(client: FlaskClient, seeded: Seeded, database: Database) -> None:
    sign_in(client, "compliance")
    assert _signed_in(client)
    with database.session() as s, s.begin():
        set_role(s, "wang_qc", "admin")
    assert not _signed_in(client)
    sign_in(client, "compliance")  # signing in again gets the new role
    assert _signed_in(client)


def test_an_idle_session_ends(client: FlaskClient, seeded: Seeded, clock: FixedClock) -> None:
    sign_in(client, "compliance")
    clock.advance(timedelta(minutes=29))
    assert _signed_in(client)  # in use: the idle time starts again
    clock.advance(timedelta(minutes=29))
    assert _signed_in(client)
    clock.advance(timedelta(minutes=30))
    assert not _signed_in(client)


def test_a_session_in_constant_use_still_ends_after_its_lifetime(
    client: FlaskClient, seeded: Seeded, clock: FixedClock
) -> None:
    sign_in(client, "compliance")
    for _ in range(11 * 4 + 3):  # every 15 minutes for 11 h 45 min
        clock.advance(timedelta(minutes=15))
        assert _signed_in(client)
    clock.advance(timedelta(minutes=15))
    assert not _signed_in(client)
