"""Benchmark `dialer import`: rows per second for a large GBK CSV, against reading + validating alone.

Run: .venv/bin/python tests/benchmarks/bench_import.py [--rows 100000] [--database-url URL]
The baseline is the same file parsed and validated with no database work, measured in the same run, so the
ratio shows what the database half costs.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from dialer.intake import import_call_list
from dialer.intake.layout import iter_records, locate
from dialer.intake.reader import read_raw
from dialer.intake.rows import parse_row
from dialer.model import migrate, open_database
from dialer.tasktypes import load_task_types

ROOT = Path(__file__).resolve().parents[2]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PREFIXES = ("138", "139", "137", "136", "150", "151", "152", "158", "159", "186", "187", "188")


def write_list(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    lines = ["姓名,手机,结案日期,部门,业务员"]
    for i in range(rows):
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        phone = f"{rnd.choice(PREFIXES)}{i:08d}"
        lines.append(
            f"{name},{phone},2026-11-{1 + i % 28:02d} {9 + i % 8}:{i % 60:02d},理赔部,业务员{i % 300}"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def parse_only(path: Path, date_column: str) -> int:
    sheet = locate(read_raw(path), date_column, path.name)
    mapping = sheet.mapping
    ok = 0
    for row_no, record in iter_records(sheet):
        if not isinstance(
            parse_row(row_no, record, mapping, "CN", "Asia/Shanghai", date(2026, 11, 22)), list
        ):
            ok += 1
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = ap.parse_args()
    rules = load_task_types(ROOT / "config")["claim"]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "list.csv"
        write_list(csv, args.rows)
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        db = open_database(url)
        migrate(db)
        t0 = time.perf_counter()
        valid = parse_only(csv, rules.date_column)
        parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with db.session() as session:
            report = import_call_list(session, csv, rules, today=date(2026, 11, 22))
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with db.session() as session:
            again = import_call_list(session, csv, rules, today=date(2026, 11, 22))
        reimport_s = time.perf_counter() - t0
        db.dispose()
    print(f"database            {url.split('@')[-1] if args.database_url else 'sqlite (temp file)'}")
    print(f"rows                {args.rows:,} ({valid:,} valid)")
    print(f"parse+validate only {parse_s:7.2f} s  {args.rows / parse_s:10,.0f} rows/s   (baseline)")
    print(f"full import         {import_s:7.2f} s  {report.imported / import_s:10,.0f} rows/s   "
          f"ratio to baseline {import_s / parse_s:.2f}x")  # fmt: skip
    print(f"re-import (all dup) {reimport_s:7.2f} s  {args.rows / reimport_s:10,.0f} rows/s   "
          f"imported {again.imported}, duplicates {again.duplicates:,}")  # fmt: skip


if __name__ == "__main__":
    main()
