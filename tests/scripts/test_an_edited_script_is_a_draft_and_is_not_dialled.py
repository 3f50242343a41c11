"""An edit makes a draft; a draft is never dialled; the approved version stays what calls use until replaced."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from dialer.errors import ScriptError
from dialer.ivr.versions import ScriptBook, approve_version, import_file, load_shipped, save_draft
from dialer.model import Attempt, Database, Task
from dialer.model.scripts import ScriptVersionError, approved_version, update_draft, versions_of
from dialer.scheduler import build_dialer
from dialer.scheduler.tick import paused_scripts
from dialer.settings import Settings
from tests.scheduler.helpers import phones, seed_tasks
from tests.scripts.helpers import NEW_QUESTION, NOW, OLD_QUESTION, SHIPPED, edited_complaint

AT = datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_an_edit_of_the_approved_version_is_a_new_draft_and_calls_keep_the_approved_one(
    db: Database, settings: Settings
) -> None:
    with db.session() as s, s.begin():
        load_shipped(s, SHIPPED, NOW)
        v1 = approved_version(s, "complaint")
        assert v1 is not None and v1.version == 1
        draft = save_draft(s, "complaint", edited_complaint(), SHIPPED, "zhao_sup", NOW)
        assert (draft.version, draft.status) == (2, "draft")
        with pytest.raises(ScriptVersionError, match="不能再修改"):
            update_draft(s, v1, v1.name, edited_complaint(), NOW)
        assert paused_scripts(s) == []  # version 1 is still approved: complaint calls go on with it

        attempt = _attempt(s, "complaint")
        script = ScriptBook(SHIPPED).pin(s, attempt, NOW)
        assert (attempt.script_version, attempt.script_sha256) == (1, v1.sha256)
        assert script.questions[0].text == OLD_QUESTION and NEW_QUESTION not in str(script.lines())


def test_a_new_script_that_is_only_a_draft_is_not_dialled_until_it_is_approved(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    settings = settings.replace(max_concurrent_calls=10)  # the default (2) would cap the pass, not the script
    source = tmp_path / "lead_visit.toml"
    source.write_text(edited_complaint().replace('id = "complaint"', 'id = "lead_visit"'), encoding="utf-8")
    repairs = seed_tasks(db, phones("+86135", 2), "repair")
    leads = seed_tasks(db, phones("+86136", 2), "complaint")
    with db.session() as s, s.begin():
        load_shipped(s, SHIPPED, NOW)
        s.execute(update(Task).where(Task.id.in_(leads)).values(script="lead_visit"))
        import_file(s, source, SHIPPED, "zhao_sup", NOW)
        assert paused_scripts(s) == ["lead_visit"]
        with pytest.raises(ScriptError, match="没有已批准的版本"):
            ScriptBook(SHIPPED).pin(s, _attempt(s, "lead_visit"), NOW)

    planned = build_dialer(settings, db, with_gateway=False).plan(AT)
    assert sorted(c.task_id for c in planned.calls) == repairs and planned.paused_scripts == ["lead_visit"]

    with db.session() as s, s.begin():
        approve_version(s, "lead_visit", 1, "wang_qc", "compliance", NOW)
        assert [v.status for v in versions_of(s, "lead_visit")] == ["approved"]
    planned = build_dialer(settings, db, with_gateway=False).plan(AT)
    assert sorted(c.task_id for c in planned.calls) == sorted(repairs + leads)


def _attempt(s: object, script: str) -> Attempt:
    """An attempt of this script that has not started yet (not stored: pinning only reads the versions)."""
    return Attempt(id=0, task_id=0, number=1, to_number="+8613800000000", script=script)
