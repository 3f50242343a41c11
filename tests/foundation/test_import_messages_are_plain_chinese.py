"""Every row error and every message of an import is written in plain Chinese: a clerk reads them, not a
developer. What the clerk typed is quoted back as it was (“…”); file formats and setting names stay as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dialer.model import Database
from tests.foundation.helpers import run_cli, write_csv

# Words a Chinese office reads as they are.
ALLOWED = {"CSV", "XLSX", "xlsx", "xls", "csv", "UTF", "GB", "GBK", "Excel", "Asia", "Shanghai", "MB"}
# A setting's name and a command's option are typed as they are; a byte is shown in hexadecimal (0xFF).
SETTING = re.compile(r"DIALER_[A-Z_]+|--[a-z-]+|0x[0-9A-F]{2}")
QUOTED = re.compile(r"“[^”]*”")


def english_words(text: str, filename: str = "") -> list[str]:
    """Return the English words of `text`, leaving out quoted input, the file's name and allowed terms."""
    text = SETTING.sub("", QUOTED.sub("", text.replace(filename, "") if filename else text))
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED]


@pytest.fixture
def migrated(db: Database, database_url: str) -> str:
    return database_url


def import_json(path: Path, type_: str, url: str, tmp_path: Path) -> dict:
    result = run_cli(["import", str(path), "--type", type_, "--json"], url, tmp_path)
    assert result.exit_code == 2, result.output
    return json.loads(result.output)


def test_every_kind_of_row_error_is_chinese(migrated: str, tmp_path: Path) -> None:
    rows = [
        "姓名,手机,结案日期,部门,时区,出生日期,年龄",
        ",13812340000,2026-11-20,,,,",  # no name
        "钱多,,2026-11-20,,,,",  # no phone
        "孙丽,abc,2026-11-20,,,,",  # not a phone number
        "周杰,1381234,2026-11-20,,,,",  # not a valid number
        "吴敏,13812340001,,,,,",  # no date
        "郑好,13812340002,下周一,,,,",  # not a date
        "王五,13812340003,2026-11-20,,Mars/Olympus,,",  # unknown time zone
        "赵六,13812340004,2026-11-20,,,昨天,",  # not a date of birth
        "冯七,13812340005,2026-11-20,,,,七十",  # age not a number
        "陈八,13812340006,2026-11-20,,,,300",  # impossible birth year
        f"褚九,13812340007,2026-11-20,{'理赔' * 60},,,",  # too long
    ]  # fmt: skip
    report = import_json(write_csv(tmp_path / "errors.csv", rows), "claim", migrated, tmp_path)
    reasons = [e["reason"] for e in report["errors"]]
    assert len(reasons) == 11, reasons
    for reason in reasons:
        assert english_words(reason) == [], reason
    text = run_cli(["import", str(tmp_path / "errors.csv"), "--type", "claim"], migrated, tmp_path).output
    assert "姓名为空" in text and "未导入任何记录" in text
    assert english_words(text, "errors.csv") == [], text


def test_series_errors_are_chinese(migrated: str, tmp_path: Path) -> None:
    lead = write_csv(tmp_path / "lead.csv", ["姓名,手机,来访日期,客户等级", "钱多,13812340000,2026-11-20,Z"])
    special = write_csv(
        tmp_path / "special.csv", ["姓名,手机,服务日期,合同到期日", "孙丽,13812340001,2026-11-20,明年"]
    )
    for path, type_ in ((lead, "lead"), (special, "special_service")):
        reasons = [e["reason"] for e in import_json(path, type_, migrated, tmp_path)["errors"]]
        assert reasons, path.name
        for reason in reasons:
            assert english_words(reason) == [], reason


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("fake.xlsx", b"PK\x03\x04 not a workbook"),
        (
            "bytes.csv",
            "姓名,手机,结案日期\r\n王小明,13812340000,2026-11-20\r\n".encode() + b"\xff\xfe\x80\r\n",
        ),
        ("noheader.csv", "甲,乙,丙\r\n1,2,3\r\n".encode()),
    ],
)
def test_a_file_refused_whole_says_why_in_chinese(
    migrated: str, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli(["import", str(path), "--type", "claim"], migrated, tmp_path)
    assert result.exit_code != 0
    message = result.output.strip()
    assert message and re.search(r"[\u4e00-\u9fff]", message), message
    assert english_words(message.replace("Error:", ""), name) == [], message


def test_an_unknown_task_type_is_named_in_chinese(migrated: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ["姓名,手机,结案日期", "钱多,13812340000,2026-11-20"])
    result = run_cli(["import", str(path), "--type", "nonsense"], migrated, tmp_path)
    assert result.exit_code != 0
    assert "未知的任务类型" in result.output and "理赔回访" in result.output
