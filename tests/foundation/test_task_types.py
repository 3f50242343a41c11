"""Task types carry the DOMAIN.md defaults and an operator can add more."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from dialer.errors import SettingsError
from dialer.tasktypes import load_task_types

CONFIG = Path(__file__).resolve().parents[2] / "config"
REQUIRED_IDS = {"new_policy", "claim", "complaint", "repair", "special_service", "general_service",
                "discharge", "new_employee", "lead"}  # fmt: skip


def test_it_ships_every_required_type() -> None:
    assert set(load_task_types(CONFIG)) >= REQUIRED_IDS


def test_the_defaults_follow_the_domain_rules() -> None:
    t = load_task_types(CONFIG)
    assert t["new_policy"].deadline == timedelta(days=15) and t["new_policy"].mandatory
    assert t["claim"].deadline == timedelta(days=3)
    assert t["repair"].earliest_offset == timedelta(days=7) and t["repair"].deadline == timedelta(days=30)
    assert t["repair"].coverage_target == 0.95
    assert t["general_service"].coverage_target == 0.80
    assert t["lead"].recurring_every == timedelta(days=3)
    rules = t["complaint"].attempts
    assert (rules.max_attempts, rules.min_distinct_days, rules.min_gap) == (3, 2, timedelta(hours=2))
    assert t["complaint"].retention == timedelta(days=730)


def test_an_operator_can_add_a_type(tmp_path: Path) -> None:
    shutil.copy(CONFIG / "task_types.toml", tmp_path)
    (tmp_path / "task_types.local.toml").write_text(
        '[warranty]\nname = "保修回访"\nscript = "repair"\ndeadline_days = 10\nmax_attempts = 5\n',
        encoding="utf-8",
    )
    t = load_task_types(tmp_path)
    assert t["warranty"].deadline == timedelta(days=10)
    assert t["warranty"].attempts.max_attempts == 5


def test_a_bad_value_names_the_type_and_key(tmp_path: Path) -> None:
    (tmp_path / "task_types.toml").write_text(
        '[claim]\nname = "理赔"\nscript = "claim"\ndeadline_days = "3"\n'
    )
    with pytest.raises(SettingsError, match=r"\[claim\].*deadline_days"):
        load_task_types(tmp_path)
