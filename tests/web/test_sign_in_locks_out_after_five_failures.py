"""Five wrong passwords in a row lock the account for 15 minutes; every attempt is audited."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.clock import FixedClock
from dialer.model import AuditEntry, Database
from tests.web.seed import PASSWORD, Seeded, csrf_token


def _try(client: FlaskClient, password: str) -> int:
    data = {"username": "wang_qc", "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data).status_code


def test_five_failures_lock_the_account_for_fifteen_minutes(client: FlaskClient, seeded: Seeded, clock: FixedClock,
                                                            database: Database) -> None:  # fmt: skip
    for _ in range(5):
        assert _try(client, "wrong-password") == 200
    assert _try(client, PASSWORD) == 200  # the right password is refused while locked
    clock.advance(timedelta(minutes=15, seconds=1))
    assert _try(client, PASSWORD) == 302
    with database.session() as s:
        actions = [
            (e.action, e.detail.get("why")) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert actions == [*[("login_failed", "bad")] * 4, ("login_failed", "locked"), ("login_failed", "locked"),
                       ("login", None)]  # fmt: skip


def test_the_lockout_message_names_the_wait(client: FlaskClient, seeded: Seeded) -> None:
    for _ in range(4):
        _try(client, "wrong-password")
    resp = client.post("/login", data={"username": "wang_qc", "password": "nope-nope",
                                       "csrf_token": csrf_token(client)})  # fmt: skip
    assert "锁定 15 分钟" in resp.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, seeded: Seeded) -> None:
    resp = client.post(
        "/login", data={"username": "wang_qc", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
