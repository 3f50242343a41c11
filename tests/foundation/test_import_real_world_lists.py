"""Call lists as insurers really export them: a title and 制表日期 above the header, merged cells, 营业部,
合计/备注 rows, mixed phone and date formats; and files that must be refused whole (a bad byte)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from dialer.model import Customer, Database, ImportBatch, Task, open_database
from tests.foundation.helpers import run_cli, write_csv

TITLE = "XX人寿 2026年11月 新契约回访清单"


def insurer_workbook(path: Path) -> Path:
    """An XLSX as a branch office exports it: title, 制表日期, header, 营业部 merged down, 合计 and 备注 rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([TITLE])
    ws.merge_cells("A1:G1")
    ws.append(["制表日期：2026-11-25", None, None, "制表人：李会计"])
    ws.append(["序号", "投保人姓名", "联系电话", "回执签收日期", "营业部", "险种", "保费"])
    ws.append([1, "张三", "138-1234-5678", datetime(2026, 11, 20, 9, 30), "城东营业部", "终身寿险", 12000])
    ws.append([2, "王芳", "+86 139 1234 5678", "2026/11/21", None, "重疾险", 8000])
    ws.append([3, "刘洋", 15011112222, "2026年11月19日", None, "年金险", 5000])
    ws.merge_cells("E4:E6")  # one 营业部 cell for three customers, as reports are laid out
    ws.append(
        [4, "陈静", "(0086)137-0000-1111", 46344, "城西营业部", "终身寿险", 9000]
    )  # an Excel serial date
    ws.append(["合计", None, None, None, None, None, 34000])
    ws.append(["备注：本清单仅供回访使用"])
    wb.save(path)
    return path


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def count(url: str, model: type) -> int:
    db = open_database(url)
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(model)) or 0
    db.dispose()
    return n


def test_an_insurers_workbook_imports_from_its_real_header(url: str, tmp_path: Path) -> None:
    f = insurer_workbook(tmp_path / "清单.xlsx")
    result = run_cli(["import", str(f), "--type", "new_policy"], url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "表头在第 3 行" in result.output
    assert f"跳过第 1 行：表头上方的标题或说明行：{TITLE}" in result.output
    assert "跳过第 2 行" in result.output and "制表日期" in result.output
    assert "跳过第 8 行：合计行" in result.output and "跳过第 9 行：备注行" in result.output
    assert "未使用的列（内容原样保存在任务的附加信息中）：序号、险种、保费" in result.output
    assert "已导入 4 行，生成 4 条回访任务" in result.output
    tasks = {t["customer"]: t for t in json.loads(run_cli(["tasks", "--json"], url, tmp_path).output)}
    assert {n: t["department"] for n, t in tasks.items()} == {
        "张三": "城东营业部", "王芳": "城东营业部", "刘洋": "城东营业部", "陈静": "城西营业部",
    }  # fmt: skip
    assert {t["phone"] for t in tasks.values()} == {
        "138****5678",
        "139****5678",
        "150****2222",
        "137****1111",
    }
    assert tasks["张三"]["next_attempt_at"] == "2026-11-20T09:30:00+08:00"
    assert tasks["王芳"]["next_attempt_at"] == "2026-11-21T00:00:00+08:00"
    assert tasks["刘洋"]["next_attempt_at"] == "2026-11-19T00:00:00+08:00"
    assert tasks["陈静"]["next_attempt_at"] == "2026-11-18T00:00:00+08:00"


@pytest.mark.parametrize("header", ["营业部", "机构", "网点", "分公司", "支公司"])
def test_each_branch_column_is_the_department(url: str, tmp_path: Path, header: str) -> None:
    f = write_csv(tmp_path / "list.csv", [f"姓名,手机,结案日期,{header}", "张三,13812345678,2026-11-20,城东"])
    assert run_cli(["import", str(f), "--type", "claim"], url, tmp_path).exit_code == 0
    tasks = json.loads(run_cli(["tasks", "--json"], url, tmp_path).output)
    assert tasks[0]["department"] == "城东"


def test_a_subtotal_between_departments_is_skipped_and_said(url: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "list.csv", ["姓名,手机,结案日期,部门", "张三,13812345678,2026-11-20,一部",
                                          "小计,,,1", "王芳,13912345678,2026-11-20,二部", "总 计,,,2"])  # fmt: skip
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "跳过第 3 行：小计行" in result.output and "跳过第 5 行：总计行" in result.output
    assert count(url, Task) == 2


def test_a_utf8_file_with_one_bad_byte_is_refused_naming_row_and_byte(url: str, tmp_path: Path) -> None:
    lines = ["name,phone,event_time", "王小明,13812345678,2026-11-20", "李四,13912345678,2026-11-21"]
    data = bytearray(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    bad = data.index("李四".encode())
    data[bad + 1] = 0xFF  # one byte of 李 broken, as a truncated copy leaves it
    f = tmp_path / "list.csv"
    f.write_bytes(bytes(data))
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1, result.output
    assert "第 3 行第 1 个字节（0xE6" in result.output and "UTF-8" in result.output
    assert count(url, Task) == 0 and count(url, Customer) == 0


def test_a_gb18030_file_still_imports(url: str, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "list.csv", ["姓名,手机,结案日期", "䶮王小明,13812345678,2026-11-20"], "gb18030")
    assert run_cli(["import", str(f), "--type", "claim"], url, tmp_path).exit_code == 0
    assert json.loads(run_cli(["tasks", "--json"], url, tmp_path).output)[0]["customer"] == "䶮王小明"


def test_without_a_header_the_nearest_row_is_named(url: str, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "list.csv", ["XX人寿 回访清单", "客户,手机,日期x", "张三,13812345678,2026-11-20"]
    )
    result = run_cli(["import", str(f), "--type", "claim"], url, tmp_path)
    assert result.exit_code == 1
    assert "没有找到表头" in result.output and "第 2 行" in result.output and "姓名" in result.output


def test_the_plan_records_what_was_skipped(url: str, tmp_path: Path) -> None:
    f = insurer_workbook(tmp_path / "清单.xlsx")
    assert run_cli(["import", str(f), "--type", "new_policy"], url, tmp_path).exit_code == 0
    db = open_database(url)
    with db.session() as s:
        plan = s.scalars(select(ImportBatch)).one()
        summary = json.loads(plan.summary or "{}")
    db.dispose()
    assert plan.header_row == 3 and plan.rows == 4 and plan.status == "pending"
    assert [row for row, _ in summary["skipped_rows"]] == [1, 2, 8, 9]
    assert summary["ignored_columns"] == ["序号", "险种", "保费"]
