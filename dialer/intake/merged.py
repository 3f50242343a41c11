"""Merged cells of an XLSX sheet: read their ranges from the sheet's XML and fill each with its value.

openpyxl's streaming reader (the only one that keeps a large list out of memory) does not report merged cells,
so their ranges are read here from the sheet part itself.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import column_index_from_string, range_boundaries

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A range is (first column, first row, last column, last row), 1-based and inclusive.
Range = tuple[int, int, int, int]
MAX_RANGES = 100_000


def first_sheet_path(zf: zipfile.ZipFile) -> str:
    """Return the zip path of the workbook's first sheet, as the workbook and its relationships name it."""
    sheet = _find(zf, "xl/workbook.xml", f"{MAIN}sheet")
    rel_id = sheet.get(f"{REL}id") if sheet is not None else None
    for _, el in iterparse(zf.open("xl/_rels/workbook.xml.rels")):
        if el.tag == f"{PKG_REL}Relationship" and el.get("Id") == rel_id:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return "xl/worksheets/sheet1.xml"


def _find(zf: zipfile.ZipFile, part: str, tag: str) -> Any:
    for _, el in iterparse(zf.open(part)):
        if el.tag == tag:
            return el
    return None


@dataclass
class SheetScan:
    """What one fast pass over a sheet's XML found: its rows (counted up to a cap) and merged ranges."""

    rows: int = 0
    too_wide_row: int | None = None  # the first row with a value past the column limit
    ranges: list[Range] = field(default_factory=list)


def scan_sheet(zf: zipfile.ZipFile, sheet_part: str, max_rows: int, max_columns: int) -> SheetScan:
    """Count the sheet's rows (stopping past `max_rows`) and read its merged ranges, clipped to `max_columns`.

    This pass is cheap (no cell objects), so a sheet with too many rows is refused before openpyxl reads it.
    """
    scan, col = SheetScan(), 0
    for _, el in iterparse(zf.open(sheet_part)):
        if el.tag == f"{MAIN}c":
            ref = el.get("r") or ""
            col = column_index_from_string(ref.rstrip("0123456789")) if ref else col + 1
            if col > max_columns and len(el):  # a value (not just formatting) past the limit
                scan.too_wide_row = int(ref[len(ref.rstrip("0123456789")) :] or scan.rows + 1)
                return scan
        elif el.tag == f"{MAIN}row":
            scan.rows, col = scan.rows + 1, 0
            if scan.rows > max_rows:
                return scan
        elif el.tag == f"{MAIN}mergeCell":
            _add_range(scan, el.get("ref", ""), max_columns)
        if el.tag in (f"{MAIN}c", f"{MAIN}row", f"{MAIN}mergeCell"):
            el.clear()  # keep memory flat: the cells themselves are read by openpyxl
    return scan


def _add_range(scan: SheetScan, ref: str, max_columns: int) -> None:
    c1, r1, c2, r2 = range_boundaries(ref)
    if c1 is None or r1 is None or c1 > max_columns:
        return
    if len(scan.ranges) >= MAX_RANGES:
        raise ValueError(f"合并单元格超过 {MAX_RANGES} 处，请取消合并后重新保存")
    scan.ranges.append((c1, r1, min(c2 or c1, max_columns), r2 or r1))


def fill_merged_cells(rows: list[tuple[int, list[Any]]], ranges: list[Range]) -> list[tuple[int, list[Any]]]:
    """Give every cell of a merged range the value of its top-left cell (e.g. a 营业部 merged down a block)."""
    if not ranges:
        return rows
    by_number = {number: values for number, values in rows}
    for c1, r1, c2, r2 in ranges:
        top = by_number.get(r1)
        value = top[c1 - 1] if top is not None and len(top) >= c1 else None
        if value is None:
            continue
        for r in range(r1, r2 + 1):
            values = by_number.get(r)
            if values is None:
                continue
            if len(values) < c2:
                values.extend([None] * (c2 - len(values)))
            for c in range(c1, c2 + 1):
                values[c - 1] = value
    return rows
