"""Supervisors upload call lists (the same checks as `dialer import`) and view and switch scripts; all audited."""

from __future__ import annotations

import shutil
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dialer.model import AuditEntry, Database, ImportBatch, Task
from dialer.model.scripts import script_enabled
from dialer.services import services
from dialer.settings import PROJECT_ROOT
from tests.web.seed import Seeded, csrf_token, get, post, sign_in

GOOD = (
    "姓名,手机,结案日期,部门\r\n张伟,13812345678,2026-03-09,理赔部\r\n王芳,13912345678,2026-03-09,理赔部\r\n"
)
BAD_ROW = "钱多,1381234,2026-03-09,理赔部\r\n"


def upload(client: FlaskClient, body: bytes, filename: str, **form: str) -> str:
    data = {
        "file": (BytesIO(body), filename),
        "type": "claim",
        "csrf_token": csrf_token(client, "/admin/upload"),
    }
    resp = client.post("/admin/upload", data={**data, **form}, content_type="multipart/form-data")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def task_count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task)) or 0


def actions(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_gbk_list_uploads_and_the_import_is_audited(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    before = task_count(database)
    page = upload(client, GOOD.encode("gbk"), "理赔名单.csv")
    assert "已导入 2 条回访任务" in page
    assert task_count(database) == before + 2
    with database.session() as s:
        batch = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert batch is not None and batch.filename == "理赔名单.csv" and batch.created_by == "zhao_sup"
    [entry] = actions(database, "import")
    assert entry.actor == "zhao_sup" and (entry.detail or {})["imported"] == 2


def test_a_list_with_a_bad_row_names_it_and_imports_nothing(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    before = task_count(database)
    page = upload(client, (GOOD + BAD_ROW).encode("gbk"), "list.csv")
    assert "未导入任何记录" in page and '<td class="num">4</td><td>手机</td>' in page
    assert task_count(database) == before
    page = upload(client, (GOOD + BAD_ROW).encode("gbk"), "list.csv", skip_invalid="1")
    assert "已导入 2 条回访任务" in page and task_count(database) == before + 2


@pytest.mark.parametrize(
    ("filename", "message"),
    [("list.txt", "不支持的文件类型 .txt"), ("", "请选择要上传的名单文件")],
)
def test_a_file_that_is_not_a_call_list_is_refused(
    client: FlaskClient, seeded: Seeded, database: Database, filename: str, message: str
) -> None:
    sign_in(client, "supervisor")
    before = task_count(database)
    assert message in upload(client, GOOD.encode(), filename)
    assert task_count(database) == before and actions(database, "import") == []


def test_a_corrupt_xlsx_gets_a_clear_message_not_an_error_page(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    page = upload(client, b"PK\x03\x04 this is not a workbook", "名单.xlsx")
    assert "文件无法导入" in page
    assert task_count(database) == 1  # the seeded task only


def test_a_file_name_cannot_climb_out_of_the_upload_folder(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    assert "已导入 2 条回访任务" in upload(client, GOOD.encode(), "../../etc/名单.csv")
    with database.session() as s:
        batch = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert batch is not None and batch.filename == "名单.csv"


def test_scripts_are_listed_viewed_and_switched_with_an_audit_entry(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", services(app).settings.scripts_dir, dirs_exist_ok=True)
    sign_in(client, "supervisor")
    listing = get(client, "/admin/scripts").get_data(as_text=True)
    assert "理赔回访" in listing and listing.count("已启用") == 18
    shown = get(client, "/admin/scripts/claim").get_data(as_text=True)
    assert "理赔" in shown and "已启用" in shown

    post(client, "/admin/scripts/claim/switch", {"enabled": "0"}, page="/admin/scripts")
    with database.session() as s:
        assert not script_enabled(s, "claim") and script_enabled(s, "repair")
    assert "已停用" in get(client, "/admin/scripts/claim").get_data(as_text=True)
    [entry] = actions(database, "script_switch")
    assert entry.actor == "zhao_sup" and entry.target == "script:claim" and entry.detail == {"enabled": False}

    post(client, "/admin/scripts/claim/switch", {"enabled": "1"}, page="/admin/scripts")
    with database.session() as s:
        assert script_enabled(s, "claim")


def test_an_unknown_or_climbing_script_id_is_not_found(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "supervisor")
    for script_id in ("no_such_script", "..%2F..%2Fconfig%2Fdefault"):
        assert get(client, f"/admin/scripts/{script_id}").status_code == 404
        post(client, f"/admin/scripts/{script_id}/switch", {"enabled": "0"}, page="/admin/scripts")
    assert actions(database, "script_switch") == []
