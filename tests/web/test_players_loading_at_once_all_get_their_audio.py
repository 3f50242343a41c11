"""A call page's players load at once: every request gets its audio and its own unbroken audit entry."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dialer.model import AuditEntry, Database
from dialer.model.audit import verify_chain
from tests.web.seed import Seeded, sign_in

PLAYERS = 8
ROUNDS = 3


def test_simultaneous_replays_all_succeed_and_the_chain_holds(
    app: Flask, client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    sign_in(client, "compliance")
    cookie = client.get_cookie("session")
    assert cookie is not None
    start = threading.Barrier(PLAYERS)
    statuses: list[int] = []

    def player(n: int) -> None:
        c = app.test_client()
        c.set_cookie("session", cookie.value)
        start.wait()
        for _ in range(ROUNDS):
            rec = seeded.clip if n % 2 else seeded.call_recording
            resp = c.get(f"/recordings/{rec}", headers={"Range": "bytes=0-"})
            resp.close()
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=player, args=(n,)) for n in range(PLAYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [206] * (PLAYERS * ROUNDS)
    with database.session() as s:
        replays = s.scalar(select(func.count()).where(AuditEntry.action == "replay"))
        assert replays == PLAYERS * ROUNDS
        assert verify_chain(s) == []
