"""The operator's override file: shipped inert, its examples valid, and every mistake named."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dialer.errors import SettingsError
from dialer.holidays import load_work_calendar
from dialer.policy.calendar import WorkCalendar

CONFIG = Path(__file__).resolve().parents[2] / "config"
SHIPPED = (CONFIG / "holidays.toml").read_text(encoding="utf-8")


def test_it_ships_with_no_override_active() -> None:
    calendar = load_work_calendar(CONFIG)
    assert calendar.overrides == {} and calendar.complete_years == frozenset()


def test_its_commented_examples_work_once_uncommented() -> None:
    text = re.sub(r"^# (\[\[day\]\]|date = |working = |note = )", r"\1", SHIPPED, flags=re.MULTILINE)
    text = text.replace("complete_years = []", "complete_years = [2027]")
    calendar = WorkCalendar.from_toml(text)
    assert calendar.overrides == {
        date(2026, 12, 31): False,
        date(2026, 12, 26): True,
        date(2027, 1, 1): False,
    }
    assert calendar.is_working_day(date(2026, 12, 26))  # a Saturday, opened
    assert not calendar.is_working_day(date(2026, 12, 31))  # a Thursday, closed
    assert calendar.is_working_day(date(2027, 1, 4))  # an unlisted Monday of a complete year


def test_no_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_work_calendar(tmp_path).overrides == {}


def test_it_reads_the_file_in_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "holidays.toml").write_text("[[day]]\ndate = 2026-11-23\nworking = false\n", encoding="utf-8")
    assert not load_work_calendar(tmp_path).is_working_day(date(2026, 11, 23))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[[day]\n", "not valid TOML"),
        ('[[day]]\ndate = "2026-10-09"\nworking = false\n', "bare TOML date"),
        ("[[day]]\ndate = 2026-10-09T10:00:00\nworking = false\n", "bare TOML date"),
        ("[[day]]\ndate = 2026-10-09\n", "'working' must be true"),
        ('[[day]]\ndate = 2026-10-09\nworking = "no"\n', "'working' must be true"),
        ("[[day]]\ndate = 2026-10-09\nworkng = false\n", "unknown key(s) ['workng']"),
        (
            "[[day]]\ndate = 2026-10-09\nworking = false\n[[day]]\ndate = 2026-10-09\nworking = true\n",
            "twice",
        ),
        ("complete_years = 2027\n", "complete_years"),
        ("holidays = [2026-10-09]\n", "unknown key(s) ['holidays']"),
    ],
    ids=[
        "bad-toml",
        "quoted-date",
        "date-time",
        "no-working",
        "string-working",
        "typo",
        "duplicate",
        "years-not-a-list",
        "unknown-top-key",
    ],
)
def test_a_mistake_is_named_with_the_file_and_the_entry(text: str, named: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(named)) as caught:
        WorkCalendar.from_toml(text, source="config/holidays.toml")
    assert str(caught.value).startswith("config/holidays.toml")


def test_a_mistake_in_the_second_entry_says_which_entry() -> None:
    text = "[[day]]\ndate = 2026-10-09\nworking = false\n[[day]]\ndate = 2026-10-10\n"
    with pytest.raises(SettingsError, match=r"\[\[day\]\] #2 \(2026-10-10\)"):
        WorkCalendar.from_toml(text)
