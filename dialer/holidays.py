"""Read the operator's holiday override file (config/holidays.toml) into a WorkCalendar."""

from __future__ import annotations

from pathlib import Path

from dialer.errors import SettingsError
from dialer.policy.calendar import WorkCalendar

FILE_NAME = "holidays.toml"


def load_work_calendar(config_dir: Path) -> WorkCalendar:
    """Return the working-day calendar with the overrides in `config_dir`; no file means no overrides."""
    path = config_dir / FILE_NAME
    if not path.is_file():
        return WorkCalendar()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read ({exc}); save it as UTF-8 text") from exc
    return WorkCalendar.from_toml(text, source=str(path))
