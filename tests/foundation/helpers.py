"""Small builders shared by the foundation tests."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import Workbook

from dialer.cli import main


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def run_cli(args: list[str], database_url: str, tmp_path: Path) -> Result:
    """Run `dialer ARGS` in-process with the given database."""
    env = {"DIALER_DATABASE_URL": database_url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)
