"""Spreadsheet safety: every cell an export writes is neutralised so a spreadsheet never runs it as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Excel, LibreOffice and WPS start a formula (or DDE) at these characters; the full-width forms are taken
# as formulas too when a Chinese input method typed them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """Return `value` ready for a CSV or XLSX cell: text that could start a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return one export row with every cell passed through `safe_cell`."""
    return [safe_cell(v) for v in values]
