"""An XLSX zip bomb (a small file that inflates to huge sheets) and over-wide lists are refused with a clear
message, from the sizes the file declares or while it streams, never after holding it all in memory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from dialer.model import Database, Task, open_database
from tests.foundation.helpers import run_cli

HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机</t></is></c>' \
         '<c r="C1" t="inlineStr"><is><t>结案日期</t></is></c></row>'  # fmt: skip


def bomb(path: Path, rows: int, *, extra_cell: str = "") -> Path:
    """Write a workbook whose sheet has `rows` identical rows: deflate shrinks them to almost nothing."""
    wb = Workbook()
    wb.save(path)
    # Rows and cells without their optional r= positions are identical, so deflate shrinks them to nothing.
    row = ('<row><c t="inlineStr"><is><t>张三</t></is></c><c><v>13812345678</v></c>'
           '<c t="inlineStr"><is><t>2026-11-20</t></is></c>' + extra_cell + "</row>")  # fmt: skip
    body = row * rows
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{HEADER}{body}</sheetData></worksheet>')  # fmt: skip
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def no_tasks(url: str) -> bool:
    db = open_database(url)
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Task))
    db.dispose()
    return n == 0


def test_a_small_file_with_200k_rows_is_refused_by_its_row_count(url: str, tmp_path: Path) -> None:
    f = bomb(tmp_path / "bomb.xlsx", 200_000)
    assert f.stat().st_size < 1_000_000  # small on disk: the rows are in what it would inflate to
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1, result.output[-500:]
    assert "名单超过 100000 行" in result.output and "DIALER_IMPORT_MAX_ROWS" in result.output
    assert no_tasks(url)


def test_a_workbook_that_inflates_past_the_limit_is_refused_before_it_is_read(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_IMPORT_MAX_XLSX_MB", "1")
    f = bomb(tmp_path / "big.xlsx", 20_000)  # about 2 MB of sheet once inflated
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1, result.output[-500:]
    assert "解压后有 2 MB，超过上限 1 MB" in result.output
    assert no_tasks(url)


def test_a_list_wider_than_the_limit_is_refused(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_IMPORT_MAX_COLUMNS", "20")
    f = bomb(tmp_path / "wide.xlsx", 3, extra_cell="<c/>" * 22 + "<c><v>1</v></c>")
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1, result.output[-500:]
    assert "第 2 行超过 20 列" in result.output
    assert no_tasks(url)


def test_a_csv_wider_than_the_limit_is_refused(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_IMPORT_MAX_COLUMNS", "5")
    f = tmp_path / "wide.csv"
    f.write_text("姓名,手机,结案日期\n张三,13812345678,2026-11-20,,,,,x\n", encoding="utf-8")
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1 and "第 2 行超过 5 列" in result.output


def test_a_bomb_within_the_limits_still_imports(url: str, tmp_path: Path) -> None:
    f = bomb(tmp_path / "fine.xlsx", 3)
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "已导入 1 行" in result.output and "重复跳过 2 行" in result.output
