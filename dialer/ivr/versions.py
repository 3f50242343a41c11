"""The filed versions of the call scripts (话术报备): validate before storing, load the shipped ones, and
give each call the exact wording of the version it used.

The shipped `ivr_scripts/*.toml` become approved version 1 (`dialer init`; a database with no script versions
at all gets them on first use, as `dialer init` would). Everything afterwards is a draft until a compliance
officer or admin approves it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from dialer.errors import DialerError, ScriptError
from dialer.ivr.script import Script, check_scripts, parse_script
from dialer.model.audit import append_audit
from dialer.model.calls import Attempt
from dialer.model.scripts import (
    ScriptVersion,
    add_version,
    approve,
    approved_version,
    approved_versions,
    has_versions,
    retire,
    update_draft,
    version_of,
    versions_of,
)
from dialer.model.states import Role, ScriptStatus

log = logging.getLogger("dialer.ivr")
SHIPPED_BY = "dialer init"


def validate(content: str, script_id: str, folder: Path) -> Script:
    """Return the script `content` describes; raise ScriptError listing every problem."""
    script, problems = parse_script(content, folder / f"{script_id}.toml")
    if problems or script is None:
        raise ScriptError("; ".join(problems))
    return script


def import_file(session: Session, path: Path, folder: Path, actor: str, now: datetime) -> ScriptVersion:
    """Store a script file as a new draft of the script it names (its `id`); audit it."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"无法读取文件 {path}（{exc}）；请确认它是 UTF-8 编码的话术 TOML 文件") from None
    script_id = path.stem
    validate(content, script_id, folder)  # the file's own id must equal its name, as in ivr_scripts/
    return save_draft(session, script_id, content, folder, actor, now, new=True)


def save_draft(
    session: Session,
    script_id: str,
    content: str,
    folder: Path,
    actor: str,
    now: datetime,
    *,
    new: bool = False,
) -> ScriptVersion:
    """Validate and store an edit: the latest draft changes in place, or a new draft is made; audit it."""
    script = validate(content, script_id, folder)
    existing = versions_of(session, script_id)
    latest = existing[-1] if existing else None
    if not new and latest is not None and latest.status == ScriptStatus.DRAFT:
        update_draft(session, latest, script.name, content, now)
        row = latest
    else:
        row = add_version(session, script_id, script.name, content, actor, now)
    append_audit(session, actor, "script_draft", f"script:{script_id}",
                 {"version": row.version, "sha256": row.sha256}, at=now)  # fmt: skip
    return row


def approve_version(
    session: Session, script_id: str, version: int, actor: str, role: str, now: datetime
) -> ScriptVersion:
    """Approve a draft (compliance or admin only), retiring the version it replaces; audit both."""
    row = version_of(session, script_id, version)
    old = approve(session, row, actor, role, now)
    append_audit(session, actor, "script_approve", f"script:{script_id}",
                 {"version": row.version, "sha256": row.sha256,
                  "retired": None if old is None else old.version}, at=now)  # fmt: skip
    return row


def retire_version(
    session: Session, script_id: str, version: int, actor: str, role: str, now: datetime
) -> ScriptVersion:
    """Withdraw a version (compliance or admin only); audit it."""
    row = version_of(session, script_id, version)
    retire(session, row, actor, role, now)
    append_audit(session, actor, "script_retire", f"script:{script_id}",
                 {"version": row.version, "sha256": row.sha256}, at=now)  # fmt: skip
    return row


def load_shipped(session: Session, folder: Path, now: datetime) -> list[ScriptVersion]:
    """Store each shipped script that has no version yet as approved version 1; return what was added."""
    scripts, problems = check_scripts(folder)
    if problems:
        raise ScriptError("; ".join(problems))
    added: list[ScriptVersion] = []
    for script_id in sorted(scripts):
        if versions_of(session, script_id):
            continue
        content = (folder / f"{script_id}.toml").read_text(encoding="utf-8")
        row = add_version(session, script_id, scripts[script_id].name, content, SHIPPED_BY, now)
        approve(session, row, SHIPPED_BY, Role.ADMIN, now)
        append_audit(session, SHIPPED_BY, "script_approve", f"script:{script_id}",
                     {"version": row.version, "sha256": row.sha256, "shipped": True}, at=now)  # fmt: skip
        added.append(row)
    return added


def ensure_filed(session: Session, folder: Path, now: datetime) -> int:
    """On a database with no script versions at all, file the shipped scripts as `dialer init` does.

    Return how many were filed. A folder with problems files nothing and is logged: calls then wait.
    """
    if has_versions(session):
        return 0
    try:
        added = load_shipped(session, folder, now)
    except DialerError as exc:
        log.warning("the shipped scripts in %s could not be filed: %s", folder, exc)
        return 0
    log.info("filed %d shipped scripts as approved version 1", len(added))
    return len(added)


class ScriptBook:
    """The process's view of the filed scripts: approved versions from the database, each read once.

    An approved version never changes, so its parsed wording is kept by (id, version, SHA-256).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._parsed: dict[tuple[str, int, str], Script] = {}
        self._lock = threading.Lock()

    def wording(self, row: ScriptVersion) -> Script:
        """Return the parsed wording of one stored version."""
        key = (row.script_id, row.version, row.sha256)
        with self._lock:
            found = self._parsed.get(key)
        if found is None:
            script = validate(row.content, row.script_id, self.folder)
            found = replace(script, version=row.version, sha256=row.sha256)
            with self._lock:
                self._parsed[key] = found
        return found

    def pin(self, session: Session, attempt: Attempt, now: datetime) -> Script:
        """Fix the call's script version now, as it starts: the approved one; raise ScriptError if none."""
        if attempt.script_version is not None:
            return self.for_attempt(session, attempt)
        row = approved_version(session, attempt.script)
        if row is None and ensure_filed(session, self.folder, now):  # a call placed before any dialler pass
            row = approved_version(session, attempt.script)
        if row is None:
            raise ScriptError(f"话术 {attempt.script} 没有已批准的版本，不能用于通话；请先批准一个版本")
        attempt.script_version, attempt.script_sha256 = row.version, row.sha256
        return self.wording(row)

    def for_attempt(self, session: Session, attempt: Attempt) -> Script:
        """Return the wording of the version this call was pinned to."""
        if attempt.script_version is None:
            raise ScriptError(f"通话 {attempt.id} 尚未开始，还没有使用哪一版话术")
        with self._lock:
            kept = self._parsed.get((attempt.script, attempt.script_version, attempt.script_sha256 or ""))
        if kept is not None:
            return kept  # an approved version never changes: no need to read it again
        row = version_of(session, attempt.script, attempt.script_version)
        if row.sha256 != attempt.script_sha256:
            raise ScriptError(
                f"话术 {attempt.script} 第{row.version}版的内容与通话记录的 SHA-256 不符：数据被改动过"
            )
        return self.wording(row)

    def current(self, session: Session, script_id: str) -> Script | None:
        """Return the approved wording of a script, or None when it has no approved version."""
        row = approved_version(session, script_id)
        return None if row is None else self.wording(row)

    def heard_on(self, session: Session, attempt: Attempt) -> Script | None:
        """Return the wording a call used (its pinned version), else the script's approved one; None if neither."""
        if attempt.script_version is not None:
            return self.for_attempt(session, attempt)
        return self.current(session, attempt.script)

    def names(self, session: Session) -> dict[str, str]:
        """Return each script's Chinese name, from its approved version."""
        return {sid: self.wording(row).name for sid, row in approved_versions(session).items()}
