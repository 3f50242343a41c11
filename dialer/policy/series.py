"""Repeating follow-ups: the calls one event needs (出院 1 week, 1 month, 3 months; 特约服务 mid-contract and
after; new employees 3–4 weeks and 2 months) and a lead's next call after each one, by its grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dialer.policy.rules import TaskTypeRules


@dataclass(frozen=True)
class Step:
    """One call of a series: its place, how many the series plans (None: open-ended), its first day, deadline."""

    number: int
    total: int | None
    earliest: datetime
    deadline: datetime | None


def series_steps(
    rules: TaskTypeRules, event_at: datetime, end_at: datetime | None, grade: str | None
) -> list[Step] | str:
    """Return the calls an event needs, or why the row cannot make them (in words for people)."""
    if rules.grade_days:
        days = grade_interval(rules, grade)
        if days is None:
            known = "、".join(g for g, _ in rules.grade_days)
            return f"客户等级 {grade!r} 无法识别，请填写 {known} 之一（不填按 {rules.grade_days[0][0]} 级）"
        earliest = event_at + rules.earliest_offset
        return [Step(1, None, earliest, earliest + timedelta(days=days))]
    if not rules.series:
        deadline = None if rules.deadline is None else event_at + rules.deadline
        return [Step(1, 1, event_at + rules.earliest_offset, deadline)]
    steps = []
    for number, spec in enumerate(rules.series, start=1):
        if spec in ("mid", "end"):
            if end_at is None or end_at <= event_at:
                return "按合同中期和到期回访需要“合同到期日”列，且到期日要晚于服务日期"
            first = end_at if spec == "end" else event_at + (end_at - event_at) / 2
        else:
            first = event_at + timedelta(days=int(spec))
        steps.append(
            Step(number, len(rules.series), first, None if rules.deadline is None else first + rules.deadline)
        )
    return steps


def grade_interval(rules: TaskTypeRules, grade: str | None) -> int | None:
    """Return a lead grade's days between calls (no grade: the first grade's), or None for an unknown grade."""
    if not grade:
        return rules.grade_days[0][1] if rules.grade_days else None
    return dict(rules.grade_days).get(grade.strip().upper())


def next_lead_call(rules: TaskTypeRules, grade: str | None, called_at: datetime) -> Step | None:
    """Return the next call of a lead after a call made at `called_at`, or None when the type does not repeat."""
    days = grade_interval(rules, grade)
    if days is None:
        return None
    earliest = called_at + timedelta(days=days)
    return Step(0, None, earliest, earliest + timedelta(days=days))
