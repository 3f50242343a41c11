"""A plan left `loading` because the process importing it died is found (the plans page, `dialer doctor`) and
cleared (a button, `dialer batches clear-stuck`): its tasks and the customers only they named are removed, the
plan is marked failed with a reason, audited. An import still writing (a fresh heartbeat) is left alone."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from dialer.cli import main
from dialer.model import AuditEntry, Customer, Database, ImportBatch, Task
from dialer.model.batches import PlanStatus
from tests.foundation.helpers import run_cli
from tests.web.seed import NOW, csrf_token, get, post, sign_in


def upload(client: FlaskClient, rows: list[str]) -> int:
    body = "姓名,手机,结案日期\r\n" + "\r\n".join(rows) + "\r\n"
    data = {"file": (BytesIO(body.encode()), "理赔.csv"), "type": "claim",
            "csrf_token": csrf_token(client, "/admin/upload")}  # fmt: skip
    assert client.post("/admin/upload", data=data, content_type="multipart/form-data").status_code == 200
    return newest(client)


def newest(client: FlaskClient) -> int:
    from dialer.services import services

    with services(client.application).db.session() as s:
        return int(s.scalar(select(func.max(ImportBatch.id))) or 0)


def died_while_loading(db: Database, plan_id: int, heartbeat_ago: timedelta) -> None:
    """Put the plan back as its import left it: `loading`, its last chunk written `heartbeat_ago`."""
    with db.session() as s, s.begin():
        s.execute(update(ImportBatch).where(ImportBatch.id == plan_id)
                  .values(status=PlanStatus.LOADING, heartbeat_at=NOW - heartbeat_ago))  # fmt: skip


def tasks_of(db: Database, plan_id: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task).where(Task.import_batch_id == plan_id)) or 0


def wide_doctor(url: str, tmp_path: Path) -> str:
    """Run `dialer doctor` with a terminal wide enough that no detail is wrapped."""
    env = {"DIALER_DATABASE_URL": url, "DIALER_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "400"}
    return CliRunner().invoke(main, ["doctor"], env=env, catch_exceptions=False).output


def test_a_dead_import_is_shown_and_cleared_and_a_live_one_is_left(
    client: FlaskClient, database: Database, tmp_path: Path
) -> None:
    from tests.web.seed import add_personas

    add_personas(database)
    sign_in(client, "supervisor")
    kept = upload(client, ["张伟,13812345678,2026-03-09"])
    dead = upload(client, ["张伟,13812345678,2026-03-08", "王芳,13912345678,2026-03-08"])
    live = upload(client, ["刘洋,15011112222,2026-03-08"])
    died_while_loading(database, dead, timedelta(hours=1))
    died_while_loading(database, live, timedelta(seconds=30))

    listed = get(client, "/admin/plans/").get_data(as_text=True)
    assert "导入已中断" in listed and f"#{dead}（" in listed and f"#{live}（" not in listed
    assert "清理中断的导入" in get(client, f"/admin/plans/{dead}").get_data(as_text=True)
    assert "正在导入" in get(client, f"/admin/plans/{live}").get_data(as_text=True)

    resp = post(client, "/admin/plans/clear-stuck", page="/admin/plans/")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert f"回访计划 {dead} 的导入已中断：清除了 2 条任务" in get(client, "/admin/plans/").get_data(
        as_text=True
    )
    with database.session() as s:
        assert s.get(ImportBatch, dead).status == PlanStatus.FAILED  # type: ignore[union-attr]
        assert "导入中断" in (s.get(ImportBatch, dead).summary or "")  # type: ignore[union-attr]
        assert s.get(ImportBatch, live).status == PlanStatus.LOADING  # type: ignore[union-attr]
        names = set(s.scalars(select(Customer.name)))
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "plan_cleared")).one()
    assert tasks_of(database, dead) == 0 and tasks_of(database, kept) == 1 and tasks_of(database, live) == 1
    assert "王芳" not in names and "张伟" in names  # 张伟 is still called by the other plan
    assert entry.actor == "zhao_sup" and entry.target == f"batch:{dead}"


def test_doctor_names_a_dead_import_and_the_command_clears_it(
    client: FlaskClient, database: Database, tmp_path: Path
) -> None:
    from tests.web.seed import add_personas

    add_personas(database)
    sign_in(client, "supervisor")
    dead = upload(client, ["王芳,13912345678,2026-03-08"])
    died_while_loading(database, dead, timedelta(hours=1))
    doctor = wide_doctor(database.url, tmp_path)
    assert f"回访计划 {dead} 的导入已中断" in doctor and "dialer batches clear-stuck" in doctor
    cleared = run_cli(["batches", "clear-stuck", "--by", "zhao_sup"], database.url, tmp_path)
    assert cleared.exit_code == 0 and f"回访计划 {dead} 的导入已中断：清除了 1 条任务" in cleared.output
    assert tasks_of(database, dead) == 0
    assert "没有中断的导入" in wide_doctor(database.url, tmp_path)
    again = run_cli(["batches", "clear-stuck"], database.url, tmp_path)
    assert again.exit_code == 0 and "没有中断的导入" in again.output
