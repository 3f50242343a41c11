"""Which IVR scripts an operator has switched on or off in the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base


class ScriptSetting(Base):
    """An operator's switch for one script. A script with no row is enabled (the shipped default)."""

    __tablename__ = "script_settings"

    script_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_by: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


def script_switches(session: Session) -> dict[str, bool]:
    """Return {script id: enabled} for every script an operator has switched."""
    return {s.script_id: s.enabled for s in session.scalars(select(ScriptSetting))}


def script_enabled(session: Session, script_id: str) -> bool:
    """Return whether calls may use this script (no switch means enabled)."""
    row = session.get(ScriptSetting, script_id)
    return True if row is None else row.enabled


def switch_script(session: Session, script_id: str, enabled: bool, actor: str, now: datetime) -> None:
    """Turn a script on or off; the caller commits (and writes the audit entry)."""
    row = session.get(ScriptSetting, script_id)
    if row is None:
        row = ScriptSetting(script_id=script_id)
        session.add(row)
    row.enabled, row.changed_by, row.changed_at = enabled, actor, now
