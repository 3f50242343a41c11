"""The filing document (话术报备文件) opens in python-docx and in LibreOffice, and carries the approved wording,
the version, which answers are problems, the required items, the approver and the date.

The rendered page is kept as PNG under test-artifacts/script-filing/ for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from dialer.model import Database
from tests.scripts.helpers import NEW_QUESTION, OLD_QUESTION, add_users, write_edited_complaint
from tests.scripts.test_only_compliance_or_an_admin_approves_a_version import cli

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "script-filing"


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def approved_v2(db: Database, database_url: str, tmp_path: Path) -> None:
    assert cli(["init"], database_url, tmp_path).exit_code == 0
    add_users(db)
    edit = write_edited_complaint(tmp_path / "edit")
    assert cli(["scripts", "import", str(edit)], database_url, tmp_path).exit_code == 0
    done = cli(
        ["scripts", "approve", "complaint", "--version", "2", "--by", "wang_qc"], database_url, tmp_path
    )
    assert done.exit_code == 0, done.output


def test_the_docx_carries_the_approved_version_its_wording_and_its_approver(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    approved_v2(db, database_url, tmp_path)
    target = tmp_path / "报备.docx"
    done = cli(["scripts", "export", "complaint", "--docx", str(target)], database_url, tmp_path)
    assert done.exit_code == 0 and "第2版" in done.output, done.output
    text = docx_text(target)
    for expected in ("安信 回访话术报备文件", "投诉处理回访", "complaint", "第2版", "wang_qc", "批准日期",
                     NEW_QUESTION, "请问是{customer_name}{honorific}本人吗？", "回答“否”，并转人工",
                     "满意/不满意", "为保障您的权益，本次通话将全程录音。"):  # fmt: skip
        assert expected in text, expected
    assert OLD_QUESTION not in text
    assert text.index("身份确认") < text.index(NEW_QUESTION) < text.rindex("结束语")  # call order

    old = tmp_path / "v1.docx"
    assert cli(["scripts", "export", "complaint", "--version", "1", "--docx", str(old)], database_url,
               tmp_path).exit_code == 0  # fmt: skip
    assert OLD_QUESTION in docx_text(old) and "dialer init" in docx_text(old) and "已停用" in docx_text(old)


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
                    reason="LibreOffice Writer or poppler is missing: apt-get install libreoffice-writer-nogui "
                    "poppler-utils")  # fmt: skip
def test_libreoffice_renders_it(db: Database, database_url: str, tmp_path: Path) -> None:
    if "postgres" in database_url:
        pytest.skip("the rendering does not depend on the database")
    approved_v2(db, database_url, tmp_path)
    target = tmp_path / "filing.docx"
    assert (
        cli(["scripts", "export", "complaint", "--docx", str(target)], database_url, tmp_path).exit_code == 0
    )
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: parallel runs never share one
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(target)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = tmp_path / "filing.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(words.split())
    for expected in ("回访话术报备文件", "第2版", "wang_qc", NEW_QUESTION):
        assert expected in flat, expected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("*.png"):
        stale.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / "page")], check=True, timeout=120
    )
    assert list(ARTIFACTS.glob("page*.png"))
