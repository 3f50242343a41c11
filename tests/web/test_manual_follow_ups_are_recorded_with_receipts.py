"""Manual follow-up (机构自访): the queue holds exactly the unreachable open tasks; a follow-up is recorded with a
receipt checked by its content and kept with its SHA-256; a completed one closes the task and counts in the
month's manual share per task type; every view is audited; roles decide who may record."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from dialer.model import AuditEntry, Customer, Database, FollowUp, Task, TaskStatus
from dialer.reports import Month, ReportRequest, build_report
from dialer.services import services
from tests.web.followup_seed import receipt_image, receipt_pdf, record, set_department, unreachable_tasks
from tests.web.seed import NOW, Seeded, get, sign_in

U = TaskStatus.UNREACHABLE


@pytest.fixture
def tasks(database: Database, seeded: Seeded) -> list[int]:
    """Four unreachable tasks (新契约 in 个险部, 理赔 in 理赔部), and tasks in other states that never queue."""
    ids = unreachable_tasks(database, [("new_policy", "个险部", U), ("new_policy", "个险部", U),
                                       ("claim", "理赔部", U), ("claim", "理赔部", U),
                                       ("new_policy", "个险部", TaskStatus.SUCCEEDED),
                                       ("new_policy", "个险部", TaskStatus.PENDING),
                                       ("claim", "理赔部", TaskStatus.INVALID)])  # fmt: skip
    set_department(database, "li_agent", "个险部")
    return ids


def queued(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-task="(\d+)"', html)}


def receipts_on_disk(app: Flask) -> list[Path]:
    root = services(app).settings.recordings_dir / "receipts"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def follow_ups(db: Database) -> list[FollowUp]:
    with db.session() as s:
        return list(s.scalars(select(FollowUp).order_by(FollowUp.id)))


def status(db: Database, task_id: int) -> str:
    with db.session() as s:
        return s.get_one(Task, task_id).status


def test_the_queue_lists_exactly_the_unreachable_open_tasks(client: FlaskClient, database: Database,
                                                            tasks: list[int]) -> None:  # fmt: skip
    sign_in(client, "supervisor")
    page = get(client, "/followups")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "机构自访" in html
    assert queued(html) == set(tasks[:4])
    assert queued(get(client, "/followups", query_string={"type": "claim"}).get_data(as_text=True)) == set(
        tasks[2:4]
    )
    assert record(client, tasks[0], receipt_pdf(), "回执.pdf").status_code == 302
    assert queued(get(client, "/followups").get_data(as_text=True)) == set(
        tasks[1:4]
    )  # closed: out of the queue
    done = get(client, "/followups", query_string={"status": "done"}).get_data(as_text=True)
    assert queued(done) == {tasks[0]} and "已机构自访" in done
    record(client, tasks[1], receipt_pdf(), "回执.pdf", result="not_reached")
    assert queued(get(client, "/followups", query_string={"status": "trying"}).get_data(as_text=True)) == {
        tasks[1]
    }
    assert queued(
        get(client, "/followups", query_string={"status": "waiting"}).get_data(as_text=True)
    ) == set(tasks[2:4])


def test_a_jpeg_and_a_pdf_are_recorded_kept_with_their_checksum_and_served(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    photo, pdf = receipt_image("JPEG"), receipt_pdf()
    sign_in(client, "agent")  # 李专员 of 个险部
    resp = record(client, tasks[0], photo, "签收照片.jpg", result="refused", way="sms")
    assert resp.status_code == 302
    assert status(database, tasks[0]) == U  # refused: still in the queue
    sign_in(client, "supervisor")
    assert record(client, tasks[0], pdf, "回执.pdf", way="letter").status_code == 302
    assert status(database, tasks[0]) == TaskStatus.FOLLOWED_UP
    first, second = follow_ups(database)
    assert (first.receipt_type, first.receipt_sha256, first.receipt_size) == (
        "image/jpeg", hashlib.sha256(photo).hexdigest(), len(photo))  # fmt: skip
    assert (second.receipt_type, second.receipt_sha256) == (
        "application/pdf",
        hashlib.sha256(pdf).hexdigest(),
    )
    assert (first.recorded_by, second.recorded_by, first.receipt_name) == (
        "li_agent",
        "zhao_sup",
        "签收照片.jpg",
    )
    assert {p.read_bytes() for p in receipts_on_disk(app)} == {photo, pdf}
    image = get(client, f"/followups/{first.id}/receipt")
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.get_data() == photo
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    doc = get(client, f"/followups/{second.id}/receipt")
    assert doc.mimetype == "application/pdf" and doc.get_data() == pdf
    assert doc.headers["Content-Disposition"].startswith("attachment")
    page = get(client, f"/followups/{second.id}").get_data(as_text=True)
    assert "与登记时一致" in page and second.receipt_sha256 in page and "信函" in page
    with database.session() as s:
        t = s.get_one(Task, tasks[0])
        customer, attempt = t.customer_id, t.attempts[0].id
    history = get(client, f"/customers/{customer}").get_data(as_text=True)
    assert f'id="follow-ups-{tasks[0]}"' in history and "短信" in history and "信函" in history
    assert "客户拒绝" in history and "城东网点 王经理" in history
    assert "已由机构自访完成" in get(client, f"/calls/{attempt}").get_data(
        as_text=True
    )  # the call page says so
    assert "被访人 客户本人" in get(client, f"/tasks/{tasks[0]}").get_data(
        as_text=True
    )  # and the task's page


@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (b"%PDF-1.4 this is only text pretending to be a document", "回执.pdf", "PDF 文件不完整"),
        (
            b"just a note typed in a text editor\n",
            "回执.pdf",
            "文件“回执.pdf”的扩展名是 PDF，但其内容并不是 PDF",
        ),
        (b"GIF89a\x01\x00\x01\x00", "照片.gif", "文件内容不是照片或 PDF"),
        (receipt_image("PNG")[:300], "回执.png", "图片已损坏或不完整"),
        (
            receipt_image("PNG"),
            "回执.jpg",
            "只接受照片（JPEG 或 PNG 格式）或 PDF 文件",
        ),  # a PNG named .jpg is fine…
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_with_nothing_stored(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int], data: bytes, name: str, said: str
) -> None:
    sign_in(client, "supervisor")
    resp = record(client, tasks[0], data, name)
    if data.startswith(b"\x89PNG") and len(data) > 300:  # …judged by its content, not its name
        assert resp.status_code == 302 and follow_ups(database)[0].receipt_type == "image/png"
        return
    assert resp.status_code == 400 and said in resp.get_data(as_text=True)
    assert "只接受照片（JPEG 或 PNG 格式）或 PDF 文件" in resp.get_data(as_text=True)
    assert follow_ups(database) == [] and receipts_on_disk(app) == []
    assert status(database, tasks[0]) == U


def test_an_oversized_receipt_is_refused_with_nothing_stored(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    big = receipt_image("PNG", size=(1200, 1000), noise=True)  # random pixels do not compress: over 3 MB
    assert len(big) > services(app).settings.receipt_max_mb * 1048576 / 4
    app.extensions["dialer"].settings = services(app).settings.replace(receipt_max_mb=1)
    sign_in(client, "supervisor")
    resp = record(client, tasks[0], big, "大照片.png")
    assert resp.status_code == 400
    assert "回执文件过大" in resp.get_data(as_text=True) and "最大 1 MB" in resp.get_data(as_text=True)
    assert follow_ups(database) == [] and receipts_on_disk(app) == [] and status(database, tasks[0]) == U


def test_bad_fields_are_named_and_nothing_is_stored(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    sign_in(client, "supervisor")
    resp = record(
        client, tasks[0], receipt_pdf(), "回执.pdf", way="email", done_on="2026-03-11", staff_name=" "
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "请选择自访方式" in text and "晚于今天" in text and "请填写自访人员的姓名" in text
    assert follow_ups(database) == [] and receipts_on_disk(app) == []


def test_a_changed_receipt_is_caught_and_every_view_is_audited(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    sign_in(client, "supervisor")
    record(client, tasks[2], receipt_image("JPEG"), "回执.jpg")
    [row] = follow_ups(database)
    get(client, f"/followups/{row.id}")
    get(client, f"/followups/{row.id}/receipt")
    [path] = receipts_on_disk(app)
    path.write_bytes(path.read_bytes() + b"tampered")
    page = get(client, f"/followups/{row.id}").get_data(as_text=True)
    assert "不一致：文件可能已被改动" in page and "receipt-image" not in page
    refused = get(client, f"/followups/{row.id}/receipt")
    assert refused.status_code == 409 and "SHA-256 与登记时不一致" in refused.get_data(as_text=True)
    with database.session() as s:
        entries = [(e.action, e.target, (e.detail or {}).get("check")) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.target == f"follow_up:{row.id}").order_by(AuditEntry.id))]  # fmt: skip
    assert entries == [("follow_up_recorded", f"follow_up:{row.id}", None),
                       ("view_follow_up", f"follow_up:{row.id}", "ok"), ("view_receipt", f"follow_up:{row.id}", "ok"),
                       ("view_follow_up", f"follow_up:{row.id}", "mismatch"),
                       ("view_receipt", f"follow_up:{row.id}", "mismatch")]  # fmt: skip
    sign_in(client, "compliance")
    log = get(client, "/audit").get_data(as_text=True)
    assert "登记机构自访" in log and "查看自访回执" in log and "不一致（文件可能被改动）" in log


def test_agents_record_only_their_departments_tasks_and_compliance_has_no_queue(
    client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    sign_in(client, "agent")  # 个险部
    assert ">机构自访</a>" in get(client, "/cases").get_data(as_text=True)  # in the agent's menu
    other = get(client, f"/followups/tasks/{tasks[2]}").get_data(as_text=True)  # 理赔部
    assert "只有任务所属部门（理赔部）的回访专员或主管可以登记" in other and "record-form" not in other
    assert record(client, tasks[0], receipt_pdf(), "回执.pdf").status_code == 302
    refused = record(client, tasks[2], receipt_pdf(), "回执.pdf")
    assert refused.status_code == 302 and status(database, tasks[2]) == U
    assert [f.task_id for f in follow_ups(database)] == [tasks[0]]
    sign_in(client, "compliance")
    assert get(client, "/followups").status_code == 403
    assert get(client, f"/followups/tasks/{tasks[0]}").status_code == 404
    assert get(client, f"/followups/{follow_ups(database)[0].id}/receipt").status_code == 404


def test_a_task_not_in_the_queue_takes_no_follow_up(
    client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    sign_in(client, "supervisor")
    assert get(client, f"/followups/tasks/{tasks[4]}").status_code == 404  # succeeded by phone
    assert record(client, tasks[0], receipt_pdf(), "回执.pdf").status_code == 302
    again = record(client, tasks[0], receipt_pdf(), "回执.pdf")  # closed already
    assert again.status_code == 302 and len(follow_ups(database)) == 1


def test_a_completed_follow_up_counts_in_the_months_share_per_type_and_warns_over_ten_percent(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    # Due in March: 新契约 2 unreachable + 1 succeeded + 1 pending + the seeded problem call = 5; 理赔 2 + 1 invalid = 3.
    sign_in(client, "supervisor")
    record(client, tasks[0], receipt_pdf(), "回执.pdf")  # 新契约: 1 of 5 = 20%
    record(client, tasks[2], receipt_pdf(), "回执.pdf")  # 理赔: 1 of 3
    record(client, tasks[3], receipt_pdf(), "回执.pdf", result="refused")  # not completed: not counted
    settings = services(app).settings
    with database.session() as s:
        r = build_report(
            s, ReportRequest(Month(2026, 3), settings.tz, {"new_policy": "新契约", "claim": "理赔"}), NOW
        )
    by_type = {x["key"]: x for x in r["by_type"]}
    assert (by_type["new_policy"]["tasks"], by_type["new_policy"]["manual_followup"]) == (5, 1)
    assert (by_type["claim"]["tasks"], by_type["claim"]["manual_followup"]) == (3, 1)
    assert by_type["claim"]["unreachable"] == 2  # closed by a branch or not, both went to manual follow-up
    assert r["manual_followup"]["done"] == 2 and r["manual_followup"]["recorded"] is True
    assert {x["key"] for x in r["manual_followup"]["over"]} == {"new_policy", "claim"}
    assert "超过 10% 上限" in r["analysis"]
    page = get(client, "/followups").get_data(as_text=True)
    assert (
        'data-share="2026-03:new_policy"' in page
        and "20.0% · 超过上限" in page
        and "33.3% · 超过上限" in page
    )
    assert 'id="over-limit"' in page
    report_page = get(client, "/report", query_string={"month": "2026-03"}).get_data(as_text=True)
    assert 'id="manual-over"' in report_page and "理赔回访 33.3%" in report_page
    assert (
        "measure=manual_followup" in report_page
        and '<span class="tag bad" title="上限 10%">20.0%</span>' in report_page
    )


def test_under_the_limit_no_warning_shows(client: FlaskClient, database: Database, seeded: Seeded) -> None:
    ids = unreachable_tasks(
        database, [("claim", "理赔部", U)] + [("claim", "理赔部", TaskStatus.SUCCEEDED)] * 9
    )
    sign_in(client, "supervisor")
    record(client, ids[0], receipt_pdf(), "回执.pdf")
    page = get(client, "/followups").get_data(as_text=True)
    assert "10.0%" in page and "超过上限" not in page and 'id="over-limit"' not in page


def test_the_export_holds_the_pages_rows_masked_and_neutralised(
    client: FlaskClient, database: Database, tasks: list[int]
) -> None:
    with database.session() as s, s.begin():
        s.get_one(Task, tasks[3]).customer.name = '=HYPERLINK("http://evil","点我")'
    sign_in(client, "supervisor")
    f = {"department": "理赔部"}
    page = queued(get(client, "/followups", query_string=f).get_data(as_text=True))
    resp = get(client, "/followups", query_string={**f, "format": "xlsx"})
    rows = [list(r) for r in load_workbook(io.BytesIO(resp.get_data())).active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["任务编号", "客户", "电话"]
    assert {r[0] for r in rows[1:]} == page == set(tasks[2:4])
    assert all("****" in r[2] for r in rows[1:])  # supervisors see masked phones
    assert any(str(r[1]).startswith("'=") for r in rows[1:])
    with database.session() as s:
        phones = {c.phone for c in s.scalars(select(Customer))}
    assert not phones & {r[2] for r in rows[1:]}


def test_a_failure_after_the_file_is_written_leaves_nothing_behind(
    app: Flask, client: FlaskClient, database: Database, tasks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(
            "the database went away"
        )  # the row cannot be written once the file is in the store

    sign_in(client, "supervisor")
    monkeypatch.setattr("dialer.web.followups.fu.record", broken)
    resp = record(client, tasks[0], receipt_pdf(), "回执.pdf")
    assert resp.status_code == 500 and "系统内部错误" in resp.get_data(as_text=True)
    assert follow_ups(database) == [] and receipts_on_disk(app) == [] and status(database, tasks[0]) == U


def test_the_queue_filters_by_date_and_the_report_drills_to_the_closed_task(
    app: Flask, client: FlaskClient, database: Database, seeded: Seeded
) -> None:
    old = unreachable_tasks(database, [("claim", "理赔部", U)], days_ago=20)  # due in February
    new = unreachable_tasks(database, [("claim", "理赔部", U)], days_ago=1)
    sign_in(client, "supervisor")
    f = {"date_from": "2026-03-01", "date_to": "2026-03-10"}
    assert queued(get(client, "/followups", query_string=f).get_data(as_text=True)) == set(new)
    wrong = get(client, "/followups", query_string={"date_from": "3月1日"}).get_data(as_text=True)
    assert "日期格式应为 年-月-日" in wrong and queued(wrong) == set()
    record(
        client, old[0], receipt_pdf(), "回执.pdf", done_on="2026-03-09"
    )  # due in February, visited in March
    for month, listed in (("2026-03", True), ("2026-02", False)):  # it counts in the month of the visit
        drill = get(client, "/report/tasks", query_string={"month": month, "dim": "type", "key": "claim",
                                                           "measure": "manual_followup"})  # fmt: skip
        assert drill.status_code == 200 and (f"<td>#{old[0]}</td>" in drill.get_data(as_text=True)) is listed
    tz = services(app).settings.tz
    with database.session() as s:
        r = build_report(s, ReportRequest(Month(2026, 3), tz, {"claim": "理赔"}), NOW)
    claim = {x["key"]: x for x in r["by_type"]}["claim"]
    assert (claim["tasks"], claim["manual_followup"], claim["previous"]["manual_followup"]) == (1, 1, 0)
    assert (claim["previous"]["tasks"], claim["previous"]["unreachable"]) == (
        1,
        1,
    )  # February's cohort keeps it
    page = get(client, "/followups").get_data(as_text=True)
    assert 'data-share="2026-03:claim"' in page and "100.0% · 超过上限" in page


@pytest.mark.parametrize("value", ["0", "51"])
def test_the_receipt_size_limit_is_checked_at_start_up(value: str) -> None:
    from dialer.errors import SettingsError
    from dialer.settings import load_settings

    with pytest.raises(SettingsError, match="DIALER_RECEIPT_MAX_MB"):
        load_settings({"DIALER_RECEIPT_MAX_MB": value})
