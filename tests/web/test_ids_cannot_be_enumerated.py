"""A missing id and a forbidden id look exactly alike, so nobody can probe which calls exist."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.seed import Seeded, get, sign_in

URLS = ("/calls/{}", "/recordings/{}", "/recordings/{}/download", "/calls/{}/evidence.zip")
# The sign-out form's CSRF token is signed with the current second, so two pages rendered a second apart differ
# there and nowhere else. The token says nothing about the record; everything else must match byte for byte.
CSRF_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')


def body(page: TestResponse) -> bytes:
    """The page with its time-stamped CSRF token blanked out."""
    assert page.data.count(b'name="csrf_token"') == 1  # the blanking must not hide anything else
    return CSRF_TOKEN.sub(b'name="csrf_token" value=""', page.data)


@pytest.mark.parametrize("pattern", URLS)
def test_an_agent_cannot_tell_a_real_id_from_a_missing_one(
    client: FlaskClient, seeded: Seeded, pattern: str
) -> None:
    sign_in(client, "agent")
    real = get(client, pattern.format(seeded.attempt if "calls" in pattern else seeded.call_recording))
    missing = get(client, pattern.format(999_999))
    assert real.status_code == missing.status_code == 404
    assert body(real) == body(missing)


@pytest.mark.parametrize("pattern", URLS)
def test_compliance_gets_the_same_404_for_any_missing_id(
    client: FlaskClient, seeded: Seeded, pattern: str
) -> None:
    sign_in(client, "compliance")
    pages = [get(client, pattern.format(n)) for n in (0, 999_999, 2**31)]
    assert {p.status_code for p in pages} == {404}
    assert len({body(p) for p in pages}) == 1
