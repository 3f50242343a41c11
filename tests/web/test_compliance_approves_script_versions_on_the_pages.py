"""On the scripts pages a supervisor sees a draft but cannot approve it; a compliance officer approves it."""

from __future__ import annotations

import shutil
from io import BytesIO

from docx import Document
from flask import Flask
from flask.testing import FlaskClient

from dialer.ivr.versions import save_draft
from dialer.model import Database
from dialer.model.scripts import approved_version, versions_of
from dialer.services import services
from dialer.settings import PROJECT_ROOT
from tests.scripts.helpers import NEW_QUESTION, NOW, edited_complaint
from tests.web.seed import Seeded, get, post, sign_in


def test_a_supervisor_is_refused_and_a_compliance_officer_approves(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    folder = services(app).settings.scripts_dir
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", folder, dirs_exist_ok=True)
    sign_in(client, "supervisor")
    listing = get(client, "/admin/scripts").get_data(as_text=True)
    assert "第1版" in listing and "投诉处理回访" in listing
    with database.session() as s, s.begin():
        save_draft(s, "complaint", edited_complaint(), folder, "zhao_sup", NOW)
    page = get(client, "/admin/scripts/complaint").get_data(as_text=True)
    assert "草稿" in page and "批准第2版" not in page  # no button for a supervisor
    refused = post(client, "/admin/scripts/complaint/versions/2/approve", page="/admin/scripts/complaint")
    assert getattr(refused, "status_code", None) == 403

    compliance = app.test_client()
    sign_in(compliance, "compliance")
    page = get(compliance, "/admin/scripts/complaint").get_data(as_text=True)
    assert "批准第2版" in page
    post(compliance, "/admin/scripts/complaint/versions/2/approve", page="/admin/scripts/complaint")
    with database.session() as s:
        row = approved_version(s, "complaint")
        assert row is not None and (row.version, row.approved_by) == (2, "wang_qc")
        assert [v.status for v in versions_of(s, "complaint")] == ["retired", "approved"]
    page = get(compliance, "/admin/scripts/complaint").get_data(as_text=True)
    assert NEW_QUESTION in page and "已批准（在用）" in page

    filing = get(compliance, "/admin/scripts/complaint/versions/2/filing.docx")
    assert filing.status_code == 200 and "attachment" in filing.headers["Content-Disposition"]
    doc = Document(BytesIO(filing.get_data()))
    text = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert NEW_QUESTION in text and "wang_qc" in text and "第2版" in text
    assert get(compliance, "/admin/scripts/complaint/versions/9/filing.docx").status_code == 404
