"""Calls before and after an approval use, record and show different versions; a draft is never spoken.

Three real calls through the emulator, one after another: with version 1 approved; with version 2 filed
as a draft (still version 1); and after a compliance officer approved version 2. Each call page shows the
wording its call used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer.ivr.versions import approve_version, save_draft
from dialer.model import Role, User
from dialer.model.scripts import content_sha256
from dialer.model.users import hash_password
from tests.call.line import Line, open_line
from tests.scripts.helpers import NEW_QUESTION, NOW, OLD_QUESTION, SHIPPED, edited_complaint
from tests.web.seed import PASSWORD, sign_in

PERSONAS = """
[[persona]]
pattern = "+86139222*"
name = "says-yes"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}]
"""
CUSTOMERS = (("甲", "+8613922200001"), ("乙", "+8613922200002"), ("丙", "+8613922200003"))


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory, speech: object) -> Iterator[Line]:
    root: Path = tmp_path_factory.mktemp("versions")
    with open_line(root, PERSONAS, speech) as line:
        with line.db.session() as s, s.begin():
            s.add(User(username="wang_qc", role=Role.COMPLIANCE, password_hash=hash_password(PASSWORD)))
        call(line, *CUSTOMERS[0])  # version 1, filed from ivr_scripts/ by the first pass
        with line.db.session() as s, s.begin():
            save_draft(s, "complaint", edited_complaint(), SHIPPED, "zhao_sup", NOW)
        call(line, *CUSTOMERS[1])  # version 2 is only a draft: still version 1
        with line.db.session() as s, s.begin():
            approve_version(s, "complaint", 2, "wang_qc", Role.COMPLIANCE, NOW)
        call(line, *CUSTOMERS[2])  # version 2
        yield line


def call(line: Line, name: str, phone: str) -> None:
    line.add(name, phone, task_type="complaint")
    placed = line.dial()
    assert len(placed) == 1 and placed[0].call_sid, [c.as_dict() for c in placed]
    line.settle()


def test_each_call_records_the_version_approved_when_it_started(line: Line) -> None:
    shipped = content_sha256((SHIPPED / "complaint.toml").read_text(encoding="utf-8"))
    edited = content_sha256(edited_complaint())
    used = [(a.script_version, a.script_sha256) for n, _ in CUSTOMERS for a in line.attempts(n)]
    assert used == [(1, shipped), (1, shipped), (2, edited)]


def test_the_customer_hears_the_wording_of_that_version(line: Line) -> None:
    for (name, _), wording, other in zip(CUSTOMERS, (OLD_QUESTION, OLD_QUESTION, NEW_QUESTION),
                                         (NEW_QUESTION, NEW_QUESTION, OLD_QUESTION), strict=True):  # fmt: skip
        [attempt] = line.attempts(name)
        assert attempt.outcome == "succeeded", (name, attempt.outcome, attempt.error_message)
        spoken = "".join(line.documents(attempt.call_sid or ""))
        assert wording in spoken and other not in spoken, name


def test_each_call_page_shows_the_wording_that_call_used(line: Line) -> None:
    client = line.app.test_client()
    sign_in(client, "compliance")
    pages = {}
    for name, _ in CUSTOMERS:
        [attempt] = line.attempts(name)
        page = client.get(f"/calls/{attempt.id}").get_data(as_text=True)
        assert "本次通话使用的话术" in page and attempt.script_sha256 in page
        pages[name] = page
    assert "第1版" in pages["甲"] and OLD_QUESTION in pages["甲"] and NEW_QUESTION not in pages["甲"]
    assert "第1版" in pages["乙"] and OLD_QUESTION in pages["乙"] and NEW_QUESTION not in pages["乙"]
    assert "第2版" in pages["丙"] and NEW_QUESTION in pages["丙"] and OLD_QUESTION not in pages["丙"]
    assert "wang_qc" in pages["丙"]  # who approved the version that call used
