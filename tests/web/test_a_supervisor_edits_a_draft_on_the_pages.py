"""A supervisor edits a script's draft on the pages: the checks of `dialer scripts check` refuse a broken draft
in Chinese, a good one is stored as a draft, the difference against the approved version is shown, and each
line of the draft can be heard as espeak-ng speaks it."""

from __future__ import annotations

import io
import shutil
import wave
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from dialer.model import Database
from dialer.model.scripts import approved_version, versions_of
from dialer.services import services
from dialer.settings import PROJECT_ROOT
from tests.scripts.helpers import NEW_QUESTION, OLD_QUESTION, edited_complaint
from tests.web.seed import Seeded, get, post, sign_in

EDIT = "/admin/scripts/complaint/edit"


class _DiffRows(HTMLParser):
    """Collect (row class, cell texts) of the difference table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "tr" and cls.startswith("diff-"):
            self.rows.append((cls, []))
            self._in = True
        elif tag == "td" and self._in:
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in and self.rows[-1][1]:
            self.rows[-1][1][-1] += data


def _shipped(app: Flask) -> None:
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", services(app).settings.scripts_dir, dirs_exist_ok=True)


def test_a_broken_draft_is_refused_in_chinese_and_nothing_is_stored(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    _shipped(app)
    sign_in(client, "supervisor")
    page = get(client, EDIT).get_data(as_text=True)
    assert "从已批准版本新建草稿" in page and OLD_QUESTION in page
    broken = edited_complaint().replace('kind = "yes_no"', 'kind = "opinion"', 1)
    assert broken != edited_complaint()
    resp = post(client, EDIT, {"content": broken}, page=EDIT)
    body = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    assert resp.status_code == 400  # type: ignore[attr-defined]
    assert "校验未通过，未保存" in body and "未知的问题类型 &#39;opinion&#39;" in body
    assert "kind = &#34;opinion&#34;" in body  # the text typed is kept for correcting
    empty = post(client, EDIT, {"content": "  "}, page=EDIT)
    assert empty.status_code == 400 and "话术内容为空" in empty.get_data(as_text=True)  # type: ignore[attr-defined]
    with database.session() as s:
        assert [v.version for v in versions_of(s, "complaint")] == [1]


def test_a_saved_draft_shows_its_difference_and_each_line_plays(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    _shipped(app)
    sign_in(client, "supervisor")
    get(client, EDIT)
    saved = post(client, EDIT, {"content": edited_complaint()}, page=EDIT)
    assert saved.status_code == 302  # type: ignore[attr-defined]
    with database.session() as s:
        assert [(v.version, v.status) for v in versions_of(s, "complaint")] == [(1, "approved"), (2, "draft")]
        approved = approved_version(s, "complaint")
        assert approved is not None and approved.version == 1  # a draft is not what calls use
    page = get(client, EDIT).get_data(as_text=True)
    assert "正在编辑第2版草稿" in page and "保存草稿" in page
    table = _DiffRows()
    table.feed(page)
    changed = [cells for kind, cells in table.rows if kind == "diff-replace"]
    assert len(changed) == 1 and OLD_QUESTION in changed[0][1] and NEW_QUESTION in changed[0][3]
    assert sorted({kind for kind, _ in table.rows}) == [
        "diff-equal",
        "diff-replace",
    ]  # one line changed, no more

    again = post(
        client, EDIT, {"content": edited_complaint().replace(NEW_QUESTION, "请问问题解决了吗？")}, page=EDIT
    )
    assert again.status_code == 302  # type: ignore[attr-defined]
    with database.session() as s:  # the draft changed in place: still two versions
        assert [v.version for v in versions_of(s, "complaint")] == [1, 2]

    wav = get(client, "/admin/scripts/complaint/versions/2/preview/1.wav")
    assert wav.status_code == 200 and wav.mimetype == "audio/wav"
    with wave.open(io.BytesIO(wav.get_data())) as w:
        assert (w.getframerate(), w.getnchannels()) == (8000, 1)
        assert w.getnframes() > 8000  # a greeting lasts more than a second
        assert max(w.readframes(w.getnframes())) > 0
    assert get(client, "/admin/scripts/complaint/versions/2/preview/999.wav").status_code == 404
    assert get(client, "/admin/scripts/complaint/versions/9/preview/1.wav").status_code == 404


def test_only_supervisors_and_admins_edit(app: Flask, seeded: Seeded) -> None:
    _shipped(app)
    for persona in ("agent", "compliance"):
        client = app.test_client()
        sign_in(client, persona)
        assert get(client, EDIT).status_code in (403, 404)
        assert get(client, "/admin/scripts/complaint/versions/1/preview/1.wav").status_code in (403, 404)
