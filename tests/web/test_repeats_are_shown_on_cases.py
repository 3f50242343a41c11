"""A repeat problem case says so, and why, in the queue and on its own page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from dialer.model import Database, ProblemCase
from tests.web.seed import Seeded, get, sign_in


@pytest.mark.parametrize(("kind", "word"), [("complaint", "重复投诉"), ("repair", "重复维修")])
def test_the_queue_and_the_case_page_name_the_repeat(
    client: FlaskClient, database: Database, seeded: Seeded, kind: str, word: str
) -> None:
    with database.session() as s, s.begin():
        case = s.get(ProblemCase, seeded.case)
        assert case is not None
        case.repeat, case.repeat_kind = True, kind
    sign_in(client, "agent")

    queue = get(client, "/cases").get_data(as_text=True)
    page = get(client, f"/cases/{seeded.case}").get_data(as_text=True)

    assert word in queue and word in page


def test_a_first_problem_shows_no_repeat_tag(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "agent")

    page = get(client, f"/cases/{seeded.case}").get_data(as_text=True)

    assert "重复投诉" not in page and "重复维修" not in page
