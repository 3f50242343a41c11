"""Benchmark the test suite's fresh databases: a copy of a migrated template against migrating each one.

Run: .venv/bin/python tests/benchmarks/bench_test_databases.py [--rounds 5] [--postgres URL]
Baseline (same run): what the `db` fixture used to do per test — run every Alembic migration on an empty
database (a SQLite file; a private schema on PostgreSQL). Measured: what it does now — copy the file, or
`CREATE DATABASE … TEMPLATE` (the drop, which the suite does on a background thread, is shown apart).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dialer.model import migrate, open_database


def median_seconds(rounds: int, fn: Callable[[int], object]) -> float:
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def migrate_url(url: str) -> None:
    database = open_database(url)
    migrate(database)
    database.dispose()


def sqlite(rounds: int, tmp: Path) -> None:
    template = tmp / "template.sqlite3"
    migrate_url(f"sqlite:///{template}")
    base = median_seconds(rounds, lambda i: migrate_url(f"sqlite:///{tmp / f'm{i}.sqlite3'}"))
    copy = median_seconds(rounds, lambda i: shutil.copyfile(template, tmp / f"c{i}.sqlite3"))
    report("sqlite", base, copy, None)


def postgres(rounds: int, url: str) -> None:
    admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    run = lambda sql: admin.connect().execute(text(sql)).close()  # noqa: E731
    template, made = f"tpl_{uuid.uuid4().hex[:12]}", []
    run(f'CREATE DATABASE "{template}"')
    migrate_url(make_url(url).set(database=template).render_as_string(hide_password=False))

    def schema_and_migrate(_: int) -> None:
        schema = f"b_{uuid.uuid4().hex[:12]}"
        run(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        migrate_url(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")

    def copy(_: int) -> None:
        name = f"b_{uuid.uuid4().hex[:12]}"
        run(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG')
        made.append(name)

    try:
        base = median_seconds(rounds, schema_and_migrate)
        copied = median_seconds(rounds, copy)
        drop = median_seconds(len(made) - rounds, lambda _: run(f'DROP DATABASE "{made.pop()}" WITH (FORCE)'))
        report("postgresql", base, copied, drop)
    finally:
        for schema in made:
            run(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        run(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        admin.dispose()


def report(backend: str, base: float, copy: float, drop: float | None) -> None:
    print(f"{backend:<11} migrate each (baseline) {base * 1000:8.1f} ms   copy of the template {copy * 1000:8.1f} ms"
          f"   {base / copy:7.1f}x faster")  # fmt: skip
    if drop is not None:
        print(f"{'':<11} drop of a copy (background thread in the suite) {drop * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("DIALER_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"median of {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite(args.rounds, Path(tmp))
    if args.postgres:
        postgres(args.rounds, args.postgres)


if __name__ == "__main__":
    main()
