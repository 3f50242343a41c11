"""The workbook opens in LibreOffice: `soffice --headless --convert-to pdf` renders it, text and charts included.

Needs LibreOffice Calc (Debian: libreoffice-calc-nogui) and poppler-utils; skipped, saying so, without them.
The rendered pages are kept as PNG under test-artifacts/report-pdf/ for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dialer.model import migrate, open_database
from dialer.reports import build_report, workbook_bytes
from tests.reports.conftest import november
from tests.reports.golden import NOW, seed_golden

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report-pdf"
pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="LibreOffice or poppler is missing: apt-get install libreoffice-calc-nogui poppler-utils",
)


def test_libreoffice_renders_every_sheet(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'golden.sqlite3'}")
    migrate(db)
    seed_golden(db)
    with db.session() as s:
        report = build_report(s, november(), NOW)
    db.dispose()
    book = tmp_path / "report-2026-11.xlsx"
    book.write_bytes(workbook_bytes(report, NOW))
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: parallel runs never share one
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(book)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = tmp_path / "report-2026-11.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "回访统计分析报告",
        "2026年11月应回访 9 件",
        "口径说明",
        "赔款是否已足额到账？",
        "无数据",
    ):
        assert expected in words, expected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "page")], check=True, timeout=120
    )
    assert len(list(ARTIFACTS.glob("page*.png"))) >= 5
