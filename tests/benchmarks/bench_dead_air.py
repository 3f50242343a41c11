"""Benchmark the dead air after each answer: the silence a customer hears before the next prompt, per path.

Run: .venv/bin/python tests/benchmarks/bench_dead_air.py [--calls 7] [--path record-4 record-tuned stream]
Measured: N real calls of the claim script (identity + 5 questions) at speed 1 through the whole line — the
service's web app, the dialler, the gateway emulator over HTTP and the real Vosk recognizer (the
Chinese-labelled stand-in of the Korean test model, as the demo uses). Customers answer as people do: at
once, after thinking 1.5–2.5 s, or slowly with a pause inside the answer. From each call's two-channel
recording (channel 1 the customer, 0 the service) `dialer.speech.dead_air` reads, for every answer, the
silence from the end of the customer's speech to the start of the next prompt. Also: the answers lost on
the first ask (heard as nothing or as unclear, so asked again).
Baseline (same run): `<Record timeout="4">`, the product's old default.
Paths: record-4, record-tuned (`<Record>` with the default DIALER_RECORD_TIMEOUT), stream (`dialer ear`,
run in a thread, hearing each question's `<Start><Stream>`; "not available" where a build has no ear).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

import tests.call.line as line_module  # noqa: E402
from dialer.model import Answer  # noqa: E402
from dialer.settings import PROJECT_ROOT, Settings  # noqa: E402
from dialer.speech import ensure_standin_model, load_model  # noqa: E402
from dialer.speech.dead_air import dead_air  # noqa: E402

line_module.SPEED = 1.0  # dead air is a matter of real seconds: every call runs in real time
_MIGRATING = threading.Lock()
_migrate = line_module.migrate


def _one_migration_at_a_time(db: Any) -> None:
    with _MIGRATING:  # alembic's environment is process-global: lines opened side by side take turns
        _migrate(db)


line_module.migrate = _one_migration_at_a_time
ANSWERS = 6  # the claim script: identity + 5 questions
# How customers answer (the stand-in model hears 네 as 是): (name, one reply as a TOML inline table).
KINDS = [
    ("at-once", '{say = "네"}'),
    ("thinks-1.5s", '{say = "네", silence = 1.5}'),
    ("thinks-2s", '{say = "네", silence = 2.0}'),
    ("thinks-2.5s", '{say = "네", silence = 2.5}'),
    ("slow-0.8s", '{say = "음", then = ["네"], gap = 0.8}'),
    ("slow-1.2s", '{say = "음", then = ["네"], gap = 1.2}'),
    ("slow-1.6s", '{say = "음", then = ["네"], gap = 1.6}'),
]

# The agent a customer who asks for a person is put through to (DIALER_AGENT_PHONES' default).
AGENT = (
    '[[persona]]\nmatch = "+862161230001"\nname = "agent"\nagent = true\nanswer_after = 1.0\ntalk_for = 4\n'
)


@dataclass
class PathResult:
    name: str
    gaps: list[float] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)  # persona kind → answers lost on the first ask
    cut: dict[str, int] = field(default_factory=dict)  # persona kind → recordings that ended mid-answer
    asked: int = 0
    wall: float = 0.0
    missing: str = ""


def personas(kinds: list[tuple[str, str]], calls: int) -> tuple[str, list[tuple[str, str]]]:
    """Return the persona file and (customer name, kind) for `calls` customers, cycling through the kinds."""
    blocks, people = [], []
    for i in range(calls):
        kind, reply = kinds[i % len(kinds)]
        phone = f"+86139{22220000 + i:08d}"
        blocks.append(
            f'[[persona]]\nmatch = "{phone}"\nname = "{kind}"\nvoice = "ko"\nanswer_after = 1.0\n'
            f"replies = [{', '.join([reply] * (ANSWERS + 4))}]\n"
        )
        people.append((f"客户{i:02d}", phone))
    blocks.append(AGENT)
    return "\n".join(blocks), [(n, kinds[i % len(kinds)][0]) for i, (n, _) in enumerate(people)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def ear_running(line: line_module.Line, model: Any) -> Iterator[None]:
    """Run `dialer ear` on the line's settings in a thread of its own (only where this build has one)."""
    from dialer.ear.process import ear_in_thread, port_of
    from dialer.ear.server import Ear
    from dialer.gateway.client import Gateway

    ear = Ear(line.settings, line.db, Gateway(line.settings), model, decode_threads=2)
    with ear_in_thread(ear, "127.0.0.1", port_of(line.settings.ear_url)):
        yield


def stream_changes() -> dict[str, Any] | str:
    """Return the settings that put answers on the stream path, or why this build cannot."""
    try:
        import dialer.ear.server  # noqa: F401
    except ImportError:
        return "this build has no `dialer ear`"
    changes = {"listen": "stream", "ear_url": f"ws://127.0.0.1:{free_port()}/stream"}
    try:
        Settings().replace(**changes)
    except TypeError as exc:
        return f"the settings have no stream path ({exc})"
    return changes


def run_path(
    name: str, changes: dict[str, Any], calls: int, model: Any, kinds: list[tuple[str, str]]
) -> PathResult:
    """Place `calls` calls at once on a fresh line with these settings; measure their dead air."""
    result = PathResult(name)
    persona_file, people = personas(kinds, calls)
    with (
        tempfile.TemporaryDirectory(prefix="bench-dead-air-") as tmp,
        line_module.open_line(Path(tmp), persona_file, model, **changes) as line,
    ):
        with ear_running(line, model) if name == "stream" else _nothing():
            for i, (customer, _kind) in enumerate(people):
                line.add(customer, f"+86139{22220000 + i:08d}", task_type="claim")
            started = time.monotonic()
            line.dial()
            line.settle(timeout=900)
            result.wall = time.monotonic() - started
        for rec in line.emu.engine.store.recordings():
            if rec.source == "OutboundAPI":
                result.gaps += dead_air(rec.path, customer_channel=1)
        _count_lost(line, people, result)
        _count_cut(line.emu.calls(), result)
    return result


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _count_lost(line: line_module.Line, people: list[tuple[str, str]], result: PathResult) -> None:
    for customer, kind in people:
        attempt_ids = [a.id for a in line.attempts(customer)]
        with line.session() as s:
            answers = s.scalars(select(Answer).where(Answer.attempt_id.in_(attempt_ids))).all()
        result.asked += len(answers)
        # An answer asked again (not final), or heard as nothing or unclear, was lost on that ask.
        lost = sum(1 for a in answers if a.label in ("unclear", "no_answer") or not a.final)
        result.lost[kind] = result.lost.get(kind, 0) + lost


def _count_cut(calls: list[dict[str, Any]], result: PathResult) -> None:
    """Count the `<Record>`s that ended before the customer had finished the answer they were giving."""
    for call in calls:
        if call["persona"] == "agent" or not any(e["event"] == "answered" for e in call["events"]):
            continue
        answered = next(e["t"] for e in call["events"] if e["event"] == "answered")
        speaking_until = None
        cut = 0
        for e in call["events"]:
            if e["event"] == "persona-speaks":
                speaking_until = e["until"]
            elif e["event"] == "recorded" and speaking_until is not None:
                cut += e["t"] - answered < speaking_until - 0.05
                speaking_until = None
        result.cut[call["persona"]] = result.cut.get(call["persona"], 0) + cut


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(results: list[PathResult]) -> None:
    base = next((r for r in results if r.gaps), None)
    print(
        f"{'path':<14}{'answers':>8}{'median s':>10}{'p95 s':>8}{'lost':>6}{'wall s':>8}   ratio to baseline"
    )
    for r in results:
        if r.missing:
            print(f"{r.name:<14}not available: {r.missing}")
            continue
        if not r.gaps:
            print(f"{r.name:<14}no answers were measured")
            continue
        med, p95 = statistics.median(r.gaps), pct(r.gaps, 95)
        ratio = ""
        if base is not None and base is not r:
            ratio = f"median {med / statistics.median(base.gaps):4.2f}x  p95 {p95 / pct(base.gaps, 95):4.2f}x"
        lost = sum(r.lost.values())
        print(f"{r.name:<14}{len(r.gaps):>8}{med:>10.2f}{p95:>8.2f}{lost:>6}{r.wall:>8.0f}   {ratio}")
    for r in results:
        if r.lost and any(r.lost.values()):
            print(f"  {r.name}: answers lost on the first ask, by customer: {r.lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=len(KINDS), help="calls per path, placed at once")
    parser.add_argument("--path", nargs="+", default=["record-4", "record-tuned", "stream"])
    args = parser.parse_args()
    model = load_model(ensure_standin_model(PROJECT_ROOT / "var" / "models"), strict=False)
    tuned = Settings().record_timeout
    print(f"{args.calls} calls per path at speed 1 (real time) on a shared, busy 2-core machine; "
          f"tuned <Record timeout> = {tuned} s")  # fmt: skip
    results = []
    for path in args.path:
        if path == "stream":
            changes = stream_changes()
            if isinstance(changes, str):
                results.append(PathResult(path, missing=changes))
                continue
        elif path.startswith("record-"):
            seconds = tuned if path == "record-tuned" else int(path.removeprefix("record-"))
            changes = (
                {"record_timeout": seconds, "listen": "record"}
                if _has_listen()
                else {"record_timeout": seconds}
            )
        else:
            parser.error(f"unknown path {path!r}: record-N, record-tuned or stream")
        results.append(run_path(path, changes, args.calls, model, KINDS))
        print(f"  {path}: {len(results[-1].gaps)} answers measured in {results[-1].wall:.0f} s", flush=True)
    report(results)


def _has_listen() -> bool:
    return hasattr(Settings(), "listen")


if __name__ == "__main__":
    main()
