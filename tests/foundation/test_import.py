"""`dialer import` reads real-world call lists and imports all rows or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialer.model import Database, Task
from tests.foundation.helpers import run_cli, write_csv, write_xlsx

GOOD = ["姓名,手机,事件时间,部门,业务员", "张三,13812345678,2026-11-20 09:30,个险部,李四",
        "王芳,+86 139-1234-5678,2026/11/21,银保部,赵强", "刘洋,15011112222,2026年11月19日,个险部,李四"]  # fmt: skip


@pytest.fixture
def migrated(db: Database, database_url: str) -> str:
    return database_url


def count_tasks(url: str) -> int:
    from dialer.model import open_database

    db = open_database(url)
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Task)) or 0
    db.dispose()
    return n


def test_a_gbk_csv_with_chinese_headers_imports(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "gbk.csv", GOOD, encoding="gbk")
    result = run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path)
    assert result.exit_code == 0, result.output
    assert "已导入 3 行，生成 3 条回访任务" in result.output
    tasks = json.loads(run_cli(["tasks", "--json"], migrated, tmp_path).output)
    assert {t["customer"] for t in tasks} == {"张三", "王芳", "刘洋"}
    zhang = next(t for t in tasks if t["customer"] == "张三")
    assert zhang["phone"] == "138****5678"
    assert zhang["deadline"] == "2026-11-23T09:30:00+08:00"  # a claim is due 3 days after the case closed
    assert zhang["next_attempt_at"] == "2026-11-20T09:30:00+08:00"


def test_utf8_with_bom_and_the_types_own_date_column_import(migrated: str, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "bom.csv", ["姓名,手机号码,回执签收日期", "陈静,13700001111,2026-11-18"], "utf-8-sig"
    )
    result = run_cli(["import", str(f), "--type", "new_policy"], migrated, tmp_path)
    assert result.exit_code == 0, result.output
    tasks = json.loads(run_cli(["tasks", "--json"], migrated, tmp_path).output)
    assert tasks[0]["deadline"].startswith("2026-12-03")  # 15 natural days of cooling-off


def test_an_xlsx_with_chinese_headers_and_excel_dates_imports(migrated: str, tmp_path: Path) -> None:
    from datetime import datetime

    f = write_xlsx(tmp_path / "list.xlsx", [
        ["客户姓名", "联系电话", "完工日期", "部门", "年龄"],
        ["周杰", 13600001234, datetime(2026, 11, 10, 14, 0), "维修部", 67],
        ["吴敏", "13600005678", "2026-11-12", "维修部", None],
    ])  # fmt: skip
    result = run_cli(["import", str(f), "--type", "repair"], migrated, tmp_path)
    assert result.exit_code == 0, result.output
    tasks = json.loads(run_cli(["tasks", "--json"], migrated, tmp_path).output)
    zhou = next(t for t in tasks if t["customer"] == "周杰")
    assert zhou["next_attempt_at"] == "2026-11-17T14:00:00+08:00"  # repairs are called 7 days after
    assert zhou["deadline"] == "2026-12-10T14:00:00+08:00"


def test_bad_rows_are_each_named_and_nothing_is_imported(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [*GOOD, "钱多,1381234,2026-11-20,个险部,", ",13812340000,2026-11-20,,", "孙丽,13812349999,下周一,个险部,"])  # fmt: skip
    result = run_cli(["import", str(f), "--type", "claim", "--json"], migrated, tmp_path)
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "手机"), (6, "姓名"), (7, "事件时间")]
    assert "不是有效的号码（中国大陆）" in report["errors"][0]["reason"]
    assert "姓名为空" in report["errors"][1]["reason"]
    assert "不是日期" in report["errors"][2]["reason"]
    assert count_tasks(migrated) == 0


def test_the_human_report_lists_row_column_and_reason(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [*GOOD, "钱多,1381234,2026-11-20,个险部,"])
    result = run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path)
    assert result.exit_code == 2
    assert "5" in result.output and "手机" in result.output and "未导入任何记录" in result.output


def test_skip_invalid_imports_the_good_rows(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [*GOOD, "钱多,1381234,2026-11-20,个险部,"])
    result = run_cli(["import", str(f), "--type", "claim", "--skip-invalid"], migrated, tmp_path)
    assert result.exit_code == 0, result.output
    assert "已导入 3 行，生成 3 条回访任务" in result.output and "错误 1 行" in result.output
    assert count_tasks(migrated) == 3


def test_text_too_long_for_its_column_is_the_rows_error_not_the_databases(
    migrated: str, tmp_path: Path
) -> None:
    long_dept, long_seller = "理赔" * 60, "李" * 101
    f = write_csv(tmp_path / "long.csv", [*GOOD, f"钱多,13812340001,2026-11-20,{long_dept},李四",
                                          f"孙丽,13812340002,2026-11-20,个险部,{long_seller}"])  # fmt: skip
    result = run_cli(["import", str(f), "--type", "claim", "--json"], migrated, tmp_path)
    assert result.exit_code == 2
    errors = json.loads(result.output)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(5, "部门"), (6, "业务员")]
    assert "超过 100 个字（共 120 个）" in errors[0]["reason"]
    skipped = run_cli(["import", str(f), "--type", "claim", "--skip-invalid"], migrated, tmp_path)
    assert skipped.exit_code == 0, skipped.output
    assert count_tasks(migrated) == 3


def test_the_text_limits_are_the_columns_sizes() -> None:
    from sqlalchemy import String

    from dialer.intake.rows import TEXT_LIMITS
    from dialer.model import Customer

    columns = {"department": Task.department, "seller": Task.seller, "name": Customer.name,
               "external_id": Customer.external_id, "gender": Customer.gender}  # fmt: skip
    for field, column in columns.items():
        kind = column.property.columns[0].type
        assert isinstance(kind, String) and kind.length == TEXT_LIMITS[field], field


def test_reimporting_a_file_adds_nothing(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "list.csv", GOOD)
    assert run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path).exit_code == 0
    again = run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path)
    assert again.exit_code == 0
    assert "已导入 0 行，生成 0 条回访任务" in again.output and "重复跳过 3 行" in again.output
    assert count_tasks(migrated) == 3


def test_the_same_row_twice_in_one_file_is_one_task(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "twice.csv", [*GOOD, GOOD[1]])
    result = run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path)
    assert "已导入 3 行，生成 3 条回访任务" in result.output and "重复跳过 1 行" in result.output


def test_dry_run_stores_nothing(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "list.csv", GOOD)
    result = run_cli(["import", str(f), "--type", "claim", "--dry-run"], migrated, tmp_path)
    assert result.exit_code == 0 and "可导入 3 行" in result.output
    assert count_tasks(migrated) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        ("编号,备注\n1,x\n".encode(), "没有找到表头"),
        (b"PK\x03\x04garbage", "不是可读取的 XLSX"),
    ],
)
def test_an_unreadable_file_gets_a_clear_error(
    migrated: str, tmp_path: Path, content: bytes, message: str
) -> None:
    f = tmp_path / "list.csv"
    f.write_bytes(content)
    result = run_cli(["import", str(f), "--type", "claim"], migrated, tmp_path)
    assert result.exit_code == 1
    assert message in result.output


def test_an_unknown_type_is_refused(migrated: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "list.csv", GOOD)
    result = run_cli(["import", str(f), "--type", "nonsense"], migrated, tmp_path)
    assert result.exit_code == 2 and "unknown task type" in result.output


@pytest.mark.parametrize(
    "header",
    [
        "姓名,手机,回执签收日期,被保险人,被保险人电话",
        "name,phone,event_date,insured_name,insured_phone",
    ],
)
def test_the_insured_is_kept_on_the_task_whatever_the_header(
    migrated: str, tmp_path: Path, header: str
) -> None:
    f = write_csv(tmp_path / "insured.csv", [header, "张伟,13812345678,2026-11-18,李娜,13900001111"])
    result = run_cli(["import", str(f), "--type", "new_policy"], migrated, tmp_path)
    assert result.exit_code == 0, result.output

    from dialer.model import open_database

    db = open_database(migrated)
    with db.session() as s:
        [extra] = s.scalars(select(Task.extra)).all()
    db.dispose()
    assert extra is not None
    assert json.loads(extra) == {"insured_name": "李娜", "insured_phone": "13900001111"}
