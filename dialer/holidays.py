"""Read the operator's holiday overrides into a WorkCalendar: the hand-edited file (config/holidays.toml) and
the days an admin entered in the console (config/holidays.console.toml, written only by the console).

A date in both follows the console, the more recent word on it; the years either writes out in full are both
complete.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dialer.errors import SettingsError
from dialer.policy.calendar import WorkCalendar, parse_overrides

FILE_NAME = "holidays.toml"
CONSOLE_FILE = "holidays.console.toml"
LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|到|~|～|—|－)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$")
LONGEST_RANGE = 31  # days one line may cover: a holiday is never longer


@dataclass(frozen=True)
class EnteredDay:
    """One date an admin entered: a holiday (working False) or a 调休 working day (True), and why."""

    day: date
    working: bool
    note: str = ""


def load_work_calendar(config_dir: Path) -> WorkCalendar:
    """Return the working-day calendar with the overrides in `config_dir`; no file means no overrides."""
    overrides: dict[date, bool] = {}
    years: set[int] = set()
    for name in (FILE_NAME, CONSOLE_FILE):  # the console's file last: its days win
        path = config_dir / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: cannot be read ({exc}); save it as UTF-8 text") from exc
        days, complete = parse_overrides(text, source=str(path))
        overrides.update(days)
        years |= complete
    return WorkCalendar(overrides, years)


def console_days(config_dir: Path) -> tuple[list[EnteredDay], frozenset[int]]:
    """Return the days entered in the console, in date order, and the years it wrote out in full."""
    path = config_dir / CONSOLE_FILE
    if not path.is_file():
        return [], frozenset()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    days = [EnteredDay(d["date"], d["working"], d.get("note", "")) for d in data.get("day", [])]
    return sorted(days, key=lambda d: d.day), frozenset(data.get("complete_years", []))


def save_year(config_dir: Path, year: int, days: list[EnteredDay]) -> None:
    """Replace the console's days of `year` with `days` and mark the year complete; other years are kept."""
    kept, years = console_days(config_dir)
    entries = sorted([d for d in kept if d.day.year != year] + days, key=lambda d: d.day)
    lines = ["# Written by the console's holiday calendar page (节假日日历); edit it there, not here.",
             f"complete_years = [{', '.join(str(y) for y in sorted(years | {year}))}]", ""]  # fmt: skip
    for d in entries:
        lines += ["[[day]]", f"date = {d.day.isoformat()}", f"working = {'true' if d.working else 'false'}"]
        if d.note:
            lines.append(f"note = {json.dumps(d.note, ensure_ascii=False)}")
        lines.append("")
    text = "\n".join(lines)
    parse_overrides(text, CONSOLE_FILE)  # never write what the dialler could not read
    fd, tmp = tempfile.mkstemp(dir=config_dir, prefix=".holidays-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, config_dir / CONSOLE_FILE)  # whole or not at all: the scheduler may read it any moment


def parse_day_lines(text: str, working: bool, year: int, what: str) -> list[EnteredDay]:
    """Read lines such as "2027-02-10 至 2027-02-16 春节" or "2027-02-07 春节调休"; refuse, naming the line."""
    out: list[EnteredDay] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        found = LINE.match(line)
        first, last = (
            (_date(found.group(1)), _date(found.group(2) or found.group(1))) if found else (None, None)
        )
        where = f"{what}第 {n} 行“{line}”"
        if found is None or first is None or last is None:
            raise SettingsError(f"{where}：请写成 2027-01-01 或 2027-02-10 至 2027-02-16，后面可加说明")
        if first.year != year or last.year != year:
            raise SettingsError(f"{where}：日期不在 {year} 年内")
        if not 0 <= (last - first).days < LONGEST_RANGE:
            raise SettingsError(f"{where}：结束日期要在开始日期之后，且一行最多 {LONGEST_RANGE} 天")
        note = found.group(3).strip()[:100]
        out += [EnteredDay(first + timedelta(days=i), working, note) for i in range((last - first).days + 1)]
    return out


def _date(text: str) -> date | None:
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    except ValueError:
        return None
