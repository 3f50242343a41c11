"""Answer clips that answer 404 for a while after their action (as Twilio's may) are waited for, not lost.

`dialer demo --clip-delay 2 --json` makes the emulator refuse every answer clip for two seconds after it posts
the `<Record>` action; the service tries again within DIALER_ANSWER_BUDGET, so every customer gets the same
verdict as in a plain `dialer demo --json` run that hears by `<Record>` too (DIALER_LISTEN=record).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from tests.call.conftest import run_demo

pytestmark = pytest.mark.slow
CLIP_DELAY = 2.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Connection, Path]]:
    """The plain demo heard by <Record>, as the delayed one is (clips are a matter of <Record>)."""
    root = tmp_path_factory.mktemp("demo-record") / "run"
    summary = run_demo(root, env={"DIALER_LISTEN": "record"})
    engine = create_engine(f"sqlite:///{root / 'dialer.sqlite3'}")
    with engine.connect() as conn:
        yield summary, conn, root
    engine.dispose()


@pytest.fixture(scope="module")
def late(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Connection]]:
    root = tmp_path_factory.mktemp("demo-late-clips") / "run"
    summary = run_demo(root, "--clip-delay", f"{CLIP_DELAY:g}")
    engine = create_engine(f"sqlite:///{root / 'dialer.sqlite3'}")
    with engine.connect() as conn:
        yield summary, conn
    engine.dispose()


def test_the_campaign_ends_with_the_same_verdicts(
    demo: tuple[dict[str, Any], Connection, Path], late: tuple[dict[str, Any], Connection]
) -> None:
    plain, _, _ = demo
    delayed, _ = late

    def verdicts(summary: dict[str, Any]) -> dict[str, Any]:
        # Problem cases are listed as filed; late clips may change which of two calls files first.
        # The demo's accounts get fresh random passwords on each run: they are not a verdict, nor is the
        # silence measured after each answer.
        cases = sorted(tuple(sorted(c.items())) for c in summary["problem_cases"])
        kept = {k: v for k, v in summary.items() if k not in ("users", "dead_air")}
        return {**kept, "problem_cases": cases}

    assert verdicts(delayed) == verdicts(plain)
    assert plain["problem_cases"] and plain["succeeded"] > 0  # a run with nothing in it proves nothing


def test_each_customer_has_the_same_outcome_and_answers(
    demo: tuple[dict[str, Any], Connection, Path], late: tuple[dict[str, Any], Connection]
) -> None:
    query = text(
        "SELECT c.name, t.status, a.question_id, a.turn, a.label FROM answers a "
        "JOIN attempts at ON at.id = a.attempt_id JOIN tasks t ON t.id = at.task_id "
        "JOIN customers c ON c.id = t.customer_id ORDER BY c.name, at.number, a.question_id, a.turn"
    )
    plain = demo[1].execute(query).all()
    delayed = late[1].execute(query).all()
    assert len(plain) > 50 and delayed == plain


def test_every_spoken_answer_waited_for_its_clip(late: tuple[dict[str, Any], Connection]) -> None:
    # The emulator refuses each clip for CLIP_DELAY seconds, so a turn heard from speech cannot have taken
    # less: proof that the clips really were late and were fetched again, not skipped.
    _, conn = late
    rows = conn.execute(text(
        "SELECT json_extract(data, '$.ms') FROM attempt_events "
        "WHERE kind = 'answer' AND json_extract(data, '$.transcript') != ''"
    )).scalars().all()  # fmt: skip
    assert len(rows) > 50 and min(rows) >= CLIP_DELAY * 1000
