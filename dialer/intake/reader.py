"""Read a call list (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, or XLSX) into numbered rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from dialer.errors import ImportFileError

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    """The header and the data rows of a call list; row numbers are as a spreadsheet shows them."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    encoding: str


def read_call_list(path: Path) -> Sheet:
    """Read `path` by its content, not only its name; raise ImportFileError with what to do."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if not data.strip():
        raise ImportFileError(f"{path}: the file is empty; export the call list again")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(path, data)
    if path.suffix.lower() in {".xls", ".xlsx", ".xlsm"}:
        raise ImportFileError(
            f"{path}: not an XLSX workbook (old .xls is not supported); save it as .xlsx or CSV in Excel"
        )
    return _read_csv(path, data)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError("cannot tell the file's text encoding; save it as UTF-8 CSV or as XLSX")
    return str(best), best.encoding


def _read_csv(path: Path, data: bytes) -> Sheet:
    try:
        text, encoding = decode(data)
    except ImportFileError as exc:
        raise ImportFileError(f"{path}: {exc}") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = [(reader.line_num, r) for r in reader]
    return _sheet(path, rows, encoding)


def _read_xlsx(path: Path, data: bytes) -> Sheet:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(
            f"{path}: not a readable XLSX workbook ({exc}); save it again from Excel"
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return _sheet(path, rows, "xlsx")


def _sheet(path: Path, rows: list[tuple[int, list[Any]]], encoding: str) -> Sheet:
    rows = [(n, r) for n, r in rows if any(_present(v) for v in r)]
    if not rows:
        raise ImportFileError(f"{path}: no header row found; the first row must name the columns")
    _, header = rows[0]
    headers = [str(h).strip() if h is not None else "" for h in header]
    return Sheet(headers=headers, rows=rows[1:], encoding=encoding)


def _present(v: Any) -> bool:
    return v is not None and str(v).strip() != ""


def iter_records(sheet: Sheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for every data row."""
    width = len(sheet.headers)
    for number, values in sheet.rows:
        padded = list(values) + [None] * (width - len(values))
        yield number, {h: padded[i] for i, h in enumerate(sheet.headers) if h}
