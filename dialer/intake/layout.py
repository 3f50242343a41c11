"""Find the header and the data rows of a call list as insurers really export them.

Above the header there may be a title ("XX人寿 2026年11月 新契约回访清单") and 制表日期/制表人 rows; below or
between the data there may be 合计/总计/小计/备注 rows. Those are skipped, and the import says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dialer.errors import ImportFileError
from dialer.intake.reader import RawSheet
from dialer.intake.rows import map_columns

HEADER_SCAN = 20  # the header is looked for within this many non-empty rows
NON_DATA_WORDS = ("合计", "总计", "小计", "备注", "说明", "制表人", "审核人")


@dataclass(frozen=True)
class SkippedRow:
    """A row that is not a customer, and why (in words for people)."""

    row: int
    reason: str


@dataclass
class Sheet:
    """The header, the data rows and what was set aside, with row numbers as a spreadsheet shows them."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    encoding: str
    header_row: int = 1
    mapping: dict[str, str] = field(default_factory=dict)  # our field → the list's header
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def ignored_columns(self) -> list[str]:
        """Headers that feed no field (their values are kept with the task as extra information)."""
        used = set(self.mapping.values())
        return [h for h in self.headers if h and h not in used]


def locate(raw: RawSheet, date_column: str, filename: str) -> Sheet:
    """Return the sheet laid out from its header row; refuse, naming the nearest row, when there is none."""
    best: tuple[int, int, list[str], list[str]] | None = None  # (found, row, missing, cells)
    for number, values in raw.rows[:HEADER_SCAN]:
        headers = [cell_text(v) for v in values]
        mapping, missing = map_columns(headers, date_column)
        if not missing:
            return _laid_out(raw, number, headers, mapping)
        if best is None or len(mapping) > best[0]:
            best = (len(mapping), number, missing, [h for h in headers if h])
    assert best is not None  # the reader refuses a file with no rows
    _, row, missing, cells = best
    raise ImportFileError(
        f"{filename}：在前 {HEADER_SCAN} 行中没有找到表头，未导入任何记录。名单需要这些列：姓名、手机（或电话）、"
        f"事件时间（或 {date_column}）。最接近表头的是第 {row} 行（{'、'.join(cells[:12])}），缺少："
        f"{'、'.join(missing)}。请把列名改成上述名称之一后重新导入。"
    )


def _laid_out(raw: RawSheet, header_row: int, headers: list[str], mapping: dict[str, str]) -> Sheet:
    sheet = Sheet(headers, [], raw.encoding, header_row, mapping)
    for number, values in raw.rows:
        if number < header_row:
            sheet.skipped.append(SkippedRow(number, f"表头上方的标题或说明行：{_summary(values)}"))
    phone_at = headers.index(mapping["phone"])
    for number, values in raw.rows:
        if number <= header_row:
            continue
        word = non_data_word(values, phone_at)
        if word:
            sheet.skipped.append(SkippedRow(number, f"{word}行，不是客户记录：{_summary(values)}"))
        else:
            sheet.rows.append((number, values))
    return sheet


def non_data_word(values: list[Any], phone_at: int) -> str | None:
    """Return 合计, 备注 … when the row is such a row: its first cell starts with the word and it has no phone."""
    first = next((cell_text(v) for v in values if cell_text(v)), "")
    key = re.sub(r"\s", "", first)
    phone = cell_text(values[phone_at]) if phone_at < len(values) else ""
    for word in NON_DATA_WORDS:
        if key.startswith(word) and not phone:
            return word
    return None


def cell_text(v: Any) -> str:
    """Return a cell's text as people read it (12.0 is 12)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _summary(values: list[Any]) -> str:
    text = " ".join(dict.fromkeys(t for t in (cell_text(v) for v in values) if t))  # merged cells repeat
    return text if len(text) <= 60 else text[:59] + "…"


def iter_records(sheet: Sheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for every data row."""
    width = len(sheet.headers)
    for number, values in sheet.rows:
        padded = list(values) + [None] * (width - len(values))
        yield number, {h: padded[i] for i, h in enumerate(sheet.headers) if h}
