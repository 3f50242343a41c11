"""Builders for the programme tests: call lists, and reading back what a plan made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.foundation.helpers import run_cli, write_csv


def call_list(path: Path, date_column: str, rows: list[tuple[str, ...]], extra: tuple[str, ...] = ()) -> Path:
    """Write a UTF-8 CSV with 姓名, 手机, the type's date column and any extra columns."""
    header = ",".join(("姓名", "手机", date_column, *extra))
    return write_csv(path, [header] + [",".join(r) for r in rows])


def people(n: int, day: str = "2026-11-20") -> list[tuple[str, ...]]:
    """Return n distinct customers with valid mobile numbers."""
    return [(f"客户{i:03d}", f"139{i:08d}", day) for i in range(n)]


def cli_json(args: list[str], url: str, tmp_path: Path) -> Any:
    result = cli([*args, "--json"], url, tmp_path)
    return json.loads(result.output)


def cli(args: list[str], url: str, tmp_path: Path, *, code: int = 0) -> Result:
    result = run_cli(args, url, tmp_path)
    assert result.exit_code == code, result.output
    return result
