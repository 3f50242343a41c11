"""Task types and their default rules, read from config/task_types.toml (and an optional local file)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from dialer.errors import SettingsError
from dialer.policy.rules import AttemptRules, TaskTypeRules

FILES = ("task_types.toml", "task_types.local.toml")
KNOWN_KEYS = {
    "name", "script", "date_column", "earliest_days", "deadline_days", "coverage", "mandatory",
    "retention_days", "at_risk_hours", "recurring_days", "max_attempts", "min_distinct_days",
    "distinct_windows", "min_gap_hours", "approval", "sample_rate", "series", "grade_days",
    "company", "cooling_off_days",
}  # fmt: skip


def load_task_types(config_dir: Path) -> dict[str, TaskTypeRules]:
    """Return every task type by id; a bad value names the file, the type and the key."""
    tables: dict[str, dict[str, Any]] = {}
    defaults: dict[str, Any] = {}
    for name in FILES:
        path = config_dir / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from exc
        defaults.update(data.pop("defaults", {}))
        for type_id, table in data.items():
            tables.setdefault(type_id, {}).update(table)
    if not tables:
        raise SettingsError(f"{config_dir / FILES[0]}: no task types defined")
    return {tid: _build(config_dir / FILES[0], tid, {**defaults, **t}) for tid, t in tables.items()}


def _build(path: Path, type_id: str, t: dict[str, Any]) -> TaskTypeRules:
    where = f"{path} [{type_id}]"
    unknown = sorted(set(t) - KNOWN_KEYS)
    if unknown:
        raise SettingsError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("name", "script"):
        if not isinstance(t.get(key), str) or not t[key]:
            raise SettingsError(f"{where}: '{key}' must be a non-empty string")
    try:
        rules = TaskTypeRules(
            id=type_id,
            name=t["name"],
            script=t["script"],
            date_column=str(t.get("date_column", "事件时间")),
            earliest_offset=timedelta(days=_num(t, "earliest_days", 0)),
            deadline=None if "deadline_days" not in t else timedelta(days=_num(t, "deadline_days", 0)),
            coverage_target=_num(t, "coverage", 1.0),
            mandatory=bool(t.get("mandatory", False)),
            retention=timedelta(days=_num(t, "retention_days", 730)),
            at_risk_before=timedelta(hours=_num(t, "at_risk_hours", 24)),
            recurring_every=None
            if "recurring_days" not in t
            else timedelta(days=_num(t, "recurring_days", 0)),
            approval=bool(t.get("approval", True)),
            sample_rate=_num(t, "sample_rate", 1.0),
            series=_series(t.get("series", [])),
            grade_days=_grade_days(t.get("grade_days", {})),
            company=_text(t, "company"),
            cooling_off_days=None if "cooling_off_days" not in t else int(_num(t, "cooling_off_days", 0)),
            attempts=AttemptRules(
                max_attempts=int(_num(t, "max_attempts", 3)),
                min_distinct_days=int(_num(t, "min_distinct_days", 2)),
                distinct_windows=bool(t.get("distinct_windows", True)),
                min_gap=timedelta(hours=_num(t, "min_gap_hours", 2)),
            ),
        )
    except ValueError as exc:
        raise SettingsError(f"{where}: {exc}") from exc
    if not 0 < rules.coverage_target <= 1:
        raise SettingsError(f"{where}: 'coverage' must be in (0, 1]")
    if not 0 < rules.sample_rate <= 1:
        raise SettingsError(f"{where}: 'sample_rate' must be in (0, 1]")
    if rules.attempts.max_attempts < 1:
        raise SettingsError(f"{where}: 'max_attempts' must be at least 1")
    return rules


def _num(t: dict[str, Any], key: str, default: float) -> float:
    value = t.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"'{key}' must be a non-negative number, got {value!r}")
    return float(value)


def _series(value: Any) -> tuple[str, ...]:
    """Check a series: a list of days after the event, or "mid"/"end" of a contract."""
    if not isinstance(value, list):
        raise ValueError(f"'series' must be a list such as [7, 30, 90], got {value!r}")
    for step in value:
        if not (
            step in ("mid", "end") or (isinstance(step, int) and not isinstance(step, bool) and step >= 0)
        ):
            raise ValueError(f'\'series\' steps are days (0 or more) or "mid"/"end", got {step!r}')
    return tuple(str(step) for step in value)


def _grade_days(value: Any) -> tuple[tuple[str, int], ...]:
    """Check lead grades: a table such as {A = 3, B = 7, C = 10}."""
    if not isinstance(value, dict):
        raise ValueError(f"'grade_days' must be a table such as {{A = 3, B = 7}}, got {value!r}")
    for grade, days in value.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"'grade_days' {grade!r} must be a whole number of days (1 or more)")
    return tuple((str(g).upper(), int(d)) for g, d in value.items())


def _text(t: dict[str, Any], key: str) -> str:
    value = t.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be text, got {value!r}")
    return value.strip()
