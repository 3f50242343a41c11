"""Rule values the policy functions take. Built from configuration by the callers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta

from dialer.policy.calendar import WorkCalendar


@dataclass(frozen=True)
class Window:
    """A local-time span a call may start in: start inclusive, end exclusive."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Window:
        """Parse "10:00-12:00"."""
        a, b = text.split("-")
        return cls(time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_WINDOWS = (Window(time(10), time(12)), Window(time(15), time(17)))


@dataclass(frozen=True)
class AttemptRules:
    """How often and how far apart a task may be dialled."""

    max_attempts: int = 3
    min_distinct_days: int = 2
    distinct_windows: bool = True
    min_gap: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class TaskTypeRules:
    """The defaults of one task type (see config/task_types.toml)."""

    id: str
    name: str
    script: str
    earliest_offset: timedelta = timedelta(0)
    deadline: timedelta | None = timedelta(days=7)
    coverage_target: float = 1.0
    attempts: AttemptRules = field(default_factory=AttemptRules)
    retention: timedelta = timedelta(days=730)
    mandatory: bool = False
    at_risk_before: timedelta = timedelta(days=1)
    date_column: str = "事件时间"
    recurring_every: timedelta | None = None
    # Running the programme: approval before dialling, the sampled share, and repeating follow-ups.
    approval: bool = True
    sample_rate: float = 1.0
    series: tuple[
        str, ...
    ] = ()  # each call's first day: days after the event ("7"), or "mid"/"end" of contract
    grade_days: tuple[tuple[str, int], ...] = ()  # leads: (grade, days between calls), first is the default
    company: str = ""  # the name its scripts say; empty: DIALER_COMPANY_NAME
    cooling_off_days: int | None = None  # the 犹豫期 its scripts say, when the call list has none


@dataclass(frozen=True)
class Rules:
    """What the gate needs besides a task and its attempts: its type's rules, the working calendar, the windows."""

    task_type: TaskTypeRules
    calendar: WorkCalendar
    windows: Sequence[Window]


@dataclass(frozen=True)
class DialRules:
    """The rules of every task type with the calendar and windows they share; `for_type` picks one's `Rules`."""

    types: Mapping[str, TaskTypeRules]
    calendar: WorkCalendar
    windows: Sequence[Window]

    def for_type(self, type_id: str) -> Rules:
        """Return the `Rules` of one task type (KeyError when the type is unknown)."""
        return Rules(self.types[type_id], self.calendar, self.windows)
