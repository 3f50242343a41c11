"""`dialer demo --json`, run as a real process, prints one JSON summary that its own database confirms."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from dialer.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
NEVER_ANSWERS = "+8613900000013"  # config/demo_personas.toml: "never-answers"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Connection, Path]]:
    root = tmp_path_factory.mktemp("demo") / "run"
    console = Path(sys.executable).with_name("dialer")
    done = subprocess.run(
        [str(console), "demo", "--json", "--dir", str(root)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=480, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)  # the whole of stdout is one JSON object
    engine = create_engine(f"sqlite:///{root / 'dialer.sqlite3'}")
    with engine.connect() as conn:
        yield summary, conn, root
    engine.dispose()


def one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar_one()


def test_it_prints_the_figures_as_integers(demo: tuple[dict[str, Any], Connection, Path]) -> None:
    summary, _, _ = demo
    for key in ("dialled", "succeeded", "wrong_person", "unreachable", "escalated", "recordings"):
        assert type(summary[key]) is int, key
    assert isinstance(summary["problem_cases"], list)
    assert all(set(c) >= {"customer", "question", "answer"} for c in summary["problem_cases"])


def test_each_figure_agrees_with_the_database(demo: tuple[dict[str, Any], Connection, Path]) -> None:
    summary, conn, _ = demo
    assert summary["dialled"] == one(conn, "SELECT count(*) FROM attempts WHERE call_sid IS NOT NULL") > 0
    assert summary["succeeded"] == one(conn, "SELECT count(*) FROM tasks WHERE status = 'succeeded'") > 0
    assert summary["unreachable"] == one(conn, "SELECT count(*) FROM tasks WHERE status = 'unreachable'") > 0
    assert (
        summary["wrong_person"]
        == one(conn, "SELECT count(DISTINCT task_id) FROM attempts WHERE outcome = 'wrong_person'")
        == 1
    )
    assert summary["escalated"] == one(conn, "SELECT count(DISTINCT attempt_id) FROM escalations") >= 1
    assert (
        summary["recordings"]
        == one(conn, "SELECT count(*) FROM recordings WHERE kind = 'call' AND status = 'stored'")
        > 0
    )


def test_the_problem_cases_agree_with_the_database(demo: tuple[dict[str, Any], Connection, Path]) -> None:
    summary, conn, _ = demo
    rows = conn.execute(text(
        "SELECT c.name, p.question_text, p.answer_label FROM problem_cases p "
        "JOIN tasks t ON t.id = p.task_id JOIN customers c ON c.id = t.customer_id ORDER BY p.id"
    )).all()  # fmt: skip
    assert len(rows) >= 3
    assert [(c["customer"], c["question"]) for c in summary["problem_cases"]] == [(n, q) for n, q, _ in rows]
    words = {"no": "否", "yes": "是", "unclear": "听不清"}
    assert all(
        c["answer"].startswith(words[label])
        for c, (_, _, label) in zip(summary["problem_cases"], rows, strict=True)
    )


def test_every_stored_recording_matches_its_checksum(demo: tuple[dict[str, Any], Connection, Path]) -> None:
    summary, conn, root = demo
    rows = conn.execute(text("SELECT kind, path, sha256 FROM recordings WHERE status = 'stored'")).all()
    # Every whole-call recording the summary counts is among them: an empty table cannot pass.
    assert sum(1 for kind, _, _ in rows if kind == "call") == summary["recordings"] > 0
    for _, path, digest in rows:
        assert path and digest, "a stored recording without its file or checksum"
        assert hashlib.sha256((root / "recordings" / path).read_bytes()).hexdigest() == digest, path


def test_the_customer_who_never_answers_ends_unreachable_after_every_attempt(
    demo: tuple[dict[str, Any], Connection, Path],
) -> None:
    _, conn, _ = demo
    task = conn.execute(text(
        "SELECT t.id, t.status, t.manual_followup FROM tasks t JOIN customers c ON c.id = t.customer_id "
        "WHERE c.phone = :phone"
    ), {"phone": NEVER_ANSWERS}).one()  # fmt: skip
    outcomes = (
        conn.execute(text("SELECT outcome FROM attempts WHERE task_id = :t ORDER BY number"), {"t": task.id})
        .scalars()
        .all()
    )
    assert task.status == "unreachable" and task.manual_followup
    assert outcomes == ["no_answer"] * 3  # the default cap: three attempts


def test_the_full_call_recordings_are_archived_compact_and_two_channel(
    demo: tuple[dict[str, Any], Connection, Path],
) -> None:
    from dialer.worker.recordings_archive import channel_count

    _, conn, root = demo
    rows = conn.execute(text(
        "SELECT path, size, duration, channels, codec, original_sha256, original_size FROM recordings "
        "WHERE kind = 'call' AND status = 'stored'"
    )).all()  # fmt: skip
    assert rows and all(r.codec == "opus" and r.path.endswith(".ogg") and r.original_sha256 for r in rows)
    assert all(
        r.channels == 2 and channel_count((root / "recordings" / r.path).read_bytes()) == 2 for r in rows
    )
    minutes = sum(r.duration for r in rows) / 60
    assert sum(r.size for r in rows) / 1024 / minutes <= 150  # KB per call-minute; the WAVs took 1,875
    assert sum(r.original_size for r in rows) / 1024 / minutes > 1800
    assert not list((root / "recordings").rglob("CA*.wav")) and not list(
        (root / "recordings").rglob("RE*.wav")
    )


def test_a_person_signs_in_with_an_account_the_demo_printed(
    demo: tuple[dict[str, Any], Connection, Path], tmp_path: Path
) -> None:
    import re

    from dialer.app import create_app
    from dialer.services import services
    from dialer.settings import Settings

    summary, _, root = demo
    assert {u["role"] for u in summary["users"]} == {"admin", "supervisor", "agent", "compliance"}
    settings = Settings(database_url=f"sqlite:///{root / 'dialer.sqlite3'}", var_dir=tmp_path / "var",
                        recordings_dir=root / "recordings", secret_key="s" * 32)  # fmt: skip
    app = create_app(settings)
    client = app.test_client()
    for account in summary["users"]:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        resp = client.post("/login", data={"username": account["username"], "password": account["password"],
                                           "csrf_token": token.group(1)})  # fmt: skip
        assert resp.status_code == 302, account["username"]
        home = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "退出" in home
        client.post("/logout", data={"csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', home)[0]})
    services(app).close()
