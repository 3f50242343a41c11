"""The authorization matrix: which role may open which page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.seed import Seeded, get, sign_in

PAGES = {
    "/board": {"agent", "supervisor", "admin"},
    "/cases": {"agent", "supervisor", "admin"},
    "/callbacks": {"agent", "supervisor", "admin"},
    "/calls": {"compliance", "admin"},
    "/recordings/failed": {"supervisor", "compliance", "admin"},
    "/audit": {"compliance", "admin"},
    "/audit.csv": {"compliance", "admin"},
    "/admin/upload": {"supervisor", "admin"},
    "/admin/progress": {"supervisor", "admin"},
    "/admin/scripts": {"supervisor", "compliance", "admin"},
    "/admin/users": {"admin"},
    "/qa": {"supervisor", "compliance", "admin"},
    "/followups": {"agent", "supervisor", "admin"},
}
ROLES = ("agent", "supervisor", "compliance", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_its_pages_and_is_refused_the_rest(
    client: FlaskClient, seeded: Seeded, role: str
) -> None:
    sign_in(client, role)
    for url, allowed in PAGES.items():
        status = get(client, url).status_code
        assert status == (200 if role in allowed else 403), f"{role} {url} → {status}"


@pytest.mark.parametrize("role", ROLES)
def test_call_and_recording_urls_follow_the_role(client: FlaskClient, seeded: Seeded, role: str) -> None:
    sign_in(client, role)
    urls = [f"/calls/{seeded.attempt}", f"/recordings/{seeded.call_recording}",
            f"/recordings/{seeded.clip}", f"/recordings/{seeded.call_recording}/download",
            f"/calls/{seeded.attempt}/evidence.zip"]  # fmt: skip
    listen = {"compliance", "admin", "supervisor"}  # supervisors listen for quality checks, not download
    for url in urls:
        status = get(client, url).status_code
        allowed = listen if "/download" not in url and "evidence" not in url else {"compliance", "admin"}
        assert status == (200 if role in allowed else 404), f"{role} {url} → {status}"


def test_a_stranger_is_sent_to_sign_in(client: FlaskClient, seeded: Seeded) -> None:
    for url in [*PAGES, f"/calls/{seeded.attempt}", f"/recordings/{seeded.call_recording}"]:
        resp = get(client, url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_agents_see_masked_phones_and_compliance_sees_them_whole(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "agent")
    board = get(client, "/board").get_data(as_text=True)
    assert "138****1234" in board and "13812341234" not in board
    client.post("/logout", data={"csrf_token": _token(client)})
    sign_in(client, "compliance")
    page = get(client, f"/calls/{seeded.attempt}").get_data(as_text=True)
    assert "+8613812341234" in page


def _token(client: FlaskClient) -> str:
    from tests.web.seed import csrf_token

    return csrf_token(client, "/board")
