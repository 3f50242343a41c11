"""Read a call list (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, or XLSX) into numbered raw rows.

Where the header is and which rows are data is decided later (`dialer.intake.layout`); this module only turns
bytes into cells, within limits that hold before anything large is inflated.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from dialer.errors import ImportFileError
from dialer.intake.merged import fill_merged_cells, first_sheet_path, scan_sheet

XLSX_MAGIC = b"PK\x03\x04"
# Rows above the header (a title, 制表日期, 制表人) and below the data (合计, 备注) a list may have on top of
# its data rows.
SLACK_ROWS = 50


@dataclass(frozen=True)
class Limits:
    """The most a call list may hold; checked while reading, before a large file is held in memory."""

    max_rows: int = 100_000
    max_columns: int = 200
    max_xlsx_bytes: int = 200 * 1024 * 1024  # the workbook's parts, uncompressed

    @classmethod
    def of(cls, settings: Any) -> Limits:
        """Return the limits a `Settings` sets."""
        return cls(
            settings.import_max_rows, settings.import_max_columns, settings.import_max_xlsx_mb * 1048576
        )


DEFAULT_LIMITS = Limits()


@dataclass
class RawSheet:
    """Every non-empty row of a call list, numbered as a spreadsheet shows them."""

    rows: list[tuple[int, list[Any]]]
    encoding: str


def read_raw(path: Path, limits: Limits | None = None) -> RawSheet:
    """Read `path` by its content, not only its name; raise ImportFileError saying what to do."""
    limits = limits or DEFAULT_LIMITS
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path.name}：无法读取文件（{exc.strerror}）。") from exc
    if not data.strip():
        raise ImportFileError(f"{path.name}：文件是空的，请重新导出名单。")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(path, data, limits)
    if path.suffix.lower() in {".xls", ".xlsx", ".xlsm"}:
        raise ImportFileError(
            f"{path.name}：不是 XLSX 工作簿（不支持旧版 .xls）。请在 Excel 中另存为 .xlsx 或 CSV 后重新导入。"
        )
    return _read_csv(path, data, limits)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for UTF-8 (with or without BOM) or GB18030/GBK; refuse anything else.

    A file that is UTF-8 but for a few broken bytes is refused with the first broken byte named, even if the
    bytes happen to decode as GB18030: that text would be mojibake.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if not _mostly_utf8(data):
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    raise ImportFileError(_bad_byte_message(data, utf8_error.start))


def _mostly_utf8(data: bytes) -> bool:
    """Return whether the non-ASCII text decodes as UTF-8 more often than not."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - broken
    return good > broken


def _bad_byte_message(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    row = data.count(b"\n", 0, offset) + 1
    return (
        f"第 {row} 行第 {offset - line_start + 1} 个字节（0x{data[offset]:02X}，文件第 {offset + 1} 个字节）"
        "既不是有效的 UTF-8 编码，也不是 GB18030/GBK 编码，文件无法可靠读取，未导入任何记录。"
        "请在 Excel 或记事本中将名单另存为“CSV UTF-8”或 XLSX 后重新导入。"
    )


def _read_csv(path: Path, data: bytes, limits: Limits) -> RawSheet:
    try:
        text, encoding = decode(data)
    except ImportFileError as exc:
        raise ImportFileError(f"{path.name}：{exc}") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[Any]]] = []
    for record in reader:
        if len(record) > limits.max_columns and any(v.strip() for v in record[limits.max_columns :]):
            raise ImportFileError(_too_wide(path, reader.line_num, limits))
        rows.append((reader.line_num, record))
        _check_rows(path, len(rows), limits)
    return RawSheet(_non_empty(rows), encoding)


def _read_xlsx(path: Path, data: bytes, limits: Limits) -> RawSheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_inflated_size(path, zf, limits)
            sheet_part = first_sheet_path(zf)
            scan = scan_sheet(zf, sheet_part, limits.max_rows + SLACK_ROWS, limits.max_columns)
            _check_rows(path, scan.rows, limits)
            if scan.too_wide_row is not None:
                raise ImportFileError(_too_wide(path, scan.too_wide_row, limits))
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        # Our own refusals (too many merged cells) are worded for people; a library's are not: leave them out.
        why = (
            f"（{exc}）" if re.search(r"[\u4e00-\u9fff]", str(exc)) else "（文件已损坏，或不是 Excel 工作簿）"
        )
        raise ImportFileError(
            f"{path.name}：不是可读取的 XLSX 工作簿{why}，请在 Excel 中重新保存后导入。"
        ) from exc
    try:
        ws = wb.worksheets[0]
        _check_rows(path, ws.max_row or 0, limits)  # the row count the sheet declares, before reading it
        rows = list(_xlsx_rows(path, ws, limits))
    finally:
        wb.close()
    return RawSheet(_non_empty(fill_merged_cells(rows, scan.ranges)), "xlsx")


def _check_inflated_size(path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook whose parts would inflate past the limit, from the sizes its directory declares.

    zipfile never inflates an entry past its declared size, so the declared total bounds what is read.
    """
    total = sum(info.file_size for info in zf.infolist())
    if total > limits.max_xlsx_bytes:
        raise ImportFileError(
            f"{path.name}：工作簿解压后有 {total / 1048576:.0f} MB，超过上限 "
            f"{limits.max_xlsx_bytes / 1048576:.0f} MB（DIALER_IMPORT_MAX_XLSX_MB），未导入任何记录。"
            "请删除多余的工作表、图片和空行，或将名单拆分成几个文件后分别导入。"
        )


def _xlsx_rows(path: Path, ws: Any, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    # The scan refused values past the column limit: what lies beyond it is formatting only.
    for number, row in enumerate(ws.iter_rows(values_only=True, max_col=limits.max_columns), start=1):
        _check_rows(path, number, limits)
        yield number, list(row)


def _check_rows(path: Path, count: int, limits: Limits) -> None:
    if count > limits.max_rows + SLACK_ROWS:
        raise ImportFileError(
            f"{path.name}：名单超过 {limits.max_rows} 行（DIALER_IMPORT_MAX_ROWS），未导入任何记录。"
            "请将名单拆分成几个文件后分别导入；如果表格下方有大量空行或格式，请先删除。"
        )


def _too_wide(path: Path, row: int, limits: Limits) -> str:
    return (
        f"{path.name}：第 {row} 行超过 {limits.max_columns} 列（DIALER_IMPORT_MAX_COLUMNS），未导入任何记录。"
        "请删除名单右侧多余的列后重新导入。"
    )


def _non_empty(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    return [(n, r) for n, r in rows if any(_present(v) for v in r)]


def _present(v: Any) -> bool:
    return v is not None and str(v).strip() != ""
