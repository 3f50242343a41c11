"""Builders shared by the script filing tests: users of each role, an edited copy of a shipped script."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dialer.model import Database, Role, User
from dialer.settings import PROJECT_ROOT

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
SHIPPED = PROJECT_ROOT / "ivr_scripts"
OLD_QUESTION = "请问您反映的问题是否已经得到解决？"
NEW_QUESTION = "请问您反映的问题现在是否已经彻底解决？"


def add_users(db: Database) -> None:
    """Add an agent, a supervisor, a compliance officer and an admin (no passwords: CLI use only)."""
    with db.session() as s, s.begin():
        for name, role in (("li_agent", Role.AGENT), ("zhao_sup", Role.SUPERVISOR),
                           ("wang_qc", Role.COMPLIANCE), ("admin", Role.ADMIN)):  # fmt: skip
            s.add(User(username=name, role=role, password_hash="", display_name=name))


def edited_complaint() -> str:
    """Return the shipped complaint script with its first question reworded."""
    text = (SHIPPED / "complaint.toml").read_text(encoding="utf-8")
    assert OLD_QUESTION in text
    return text.replace(OLD_QUESTION, NEW_QUESTION)


def write_edited_complaint(folder: Path) -> Path:
    """Write the edited complaint script as `complaint.toml` in `folder` (a file to import)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "complaint.toml"
    path.write_text(edited_complaint(), encoding="utf-8")
    return path
