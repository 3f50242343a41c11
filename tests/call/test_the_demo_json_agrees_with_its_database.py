"""`dialer demo --json`, run as a real process, prints one JSON summary that its own database confirms."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dialer.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
NEVER_ANSWERS = "+8613900000013"  # config/demo_personas.toml: "never-answers"
ASKS_FOR_A_PERSON = (
    "+8613900000011"  # "asks-for-a-person": 是 to the identity, then 人工 at the first question
)
INSURED_COLUMNS = ("insured_name", "被保险人", "被保险人姓名")


def one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar_one()


def test_it_prints_the_figures_as_integers(demo: tuple[dict[str, Any], Connection, Path]) -> None:
    summary, _, _ = demo
    for key in (
        "dialled",
        "succeeded",
        "wrong_person",
        "unreachable",
        "escalated",
        "recordings",
        "with_open_items",
    ):
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


def _required(question: Any, extra: dict[str, Any], customer: str) -> bool:
    """Return whether a script question had to be answered on this task's calls."""
    if not question.required:
        return False
    if question.when == "insured_differs":
        insured = next((str(extra[c]).strip() for c in INSURED_COLUMNS if extra.get(c)), "")
        return bool(insured) and insured != customer
    return question.when is None


def test_no_task_succeeded_with_a_required_item_unanswered(
    demo: tuple[dict[str, Any], Connection, Path],
) -> None:
    from dialer.ivr.script import load_scripts

    _, conn, _ = demo
    scripts = load_scripts(PROJECT_ROOT / "ivr_scripts")
    tasks = conn.execute(text(
        "SELECT t.id, t.script, t.extra, c.name FROM tasks t JOIN customers c ON c.id = t.customer_id "
        "WHERE t.status = 'succeeded'"
    )).all()  # fmt: skip
    assert tasks
    for task in tasks:
        answered = set(conn.execute(text(
            "SELECT a.question_id FROM answers a JOIN attempts t ON t.id = a.attempt_id "
            "WHERE t.task_id = :task AND a.final AND a.label IN ('yes', 'no')"
        ), {"task": task.id}).scalars())  # fmt: skip
        extra = json.loads(task.extra) if task.extra else {}
        required = {q.id for q in scripts[task.script].questions if _required(q, extra, task.name)}
        assert required and required <= answered, (task.name, sorted(required - answered))


def test_the_customer_who_asks_for_a_person_ends_with_her_items_open(
    demo: tuple[dict[str, Any], Connection, Path],
) -> None:
    summary, conn, _ = demo
    task = conn.execute(text(
        "SELECT t.id, t.status, c.name FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE c.phone = :p"
    ), {"p": ASKS_FOR_A_PERSON}).one()  # fmt: skip
    outcomes = (
        conn.execute(text("SELECT outcome FROM attempts WHERE task_id = :t"), {"t": task.id}).scalars().all()
    )
    assert task.status not in ("succeeded", "problem") and set(outcomes) == {"open"}
    [shown] = [t for t in summary["open_items"] if t["task_id"] == task.id]
    assert shown["customer"] == task.name and shown["status"] == task.status
    assert "请问这份保险是您本人亲自投保的吗？" in shown["items"]  # the first question, never answered
    assert len(shown["items"]) >= 13
    with_open = one(conn, "SELECT count(DISTINCT t.id) FROM tasks t JOIN attempts a ON a.task_id = t.id "
                          "WHERE a.outcome = 'open' AND t.status NOT IN ('succeeded', 'problem')")  # fmt: skip
    assert summary["with_open_items"] == len(summary["open_items"]) == with_open >= 1


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
