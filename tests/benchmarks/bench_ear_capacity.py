"""Benchmark how many calls one `dialer ear` process hears at once, against the limit Vosk's speed sets.

Run: .venv/bin/python tests/benchmarks/bench_ear_capacity.py [--levels 8 16 32 48 64] [--turns 8]
Each emulated call is a gateway speaking Media Streams to a real `dialer ear` process in real time, with natural
pacing: per turn a prompt (3 s, the customer quiet), 0.6 s before answering, the answer (espeak-ng Korean 네 or
아니요 heard by the stand-in model), then quiet until the ear moves the call on; 8 turns. The ear stores each
answer (SQLite, clip and row) and updates the call through a REST seam on loopback. N rises until the answers'
p95 server time (final audio frame → call update sent, as the ear records it) passes 300 ms.
Baseline (same run): Vosk's own decode time of one answer (grammar mode, with the ear's 1 s of lead-in), in
this process; the limit it sets is cores × turn interval / decode time. Also: the ear's CPU per call.
The emulated callers run on the same 2 cores as the ear, and the machine is shared and busy: figures are
lower bounds and are re-run on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import vosk

from dialer.speech import ensure_standin_model, load_model
from tests.benchmarks.ear_line import Bench, caller, cpu_seconds, ear_bench, questions, stats
from tests.ear.conftest import ulaw_speech as ulaw

PROMPT_S, THINK_S = 3.0, 0.6
SILENCE = b"\xff" * 160


def decode_seconds(model_dir: Path, answers: list[bytes], rounds: int = 20) -> float:
    """Return Vosk's median time for one answer as the ear needs it: a grammar recognizer, then the answer
    with its 1 s of lead-in decoded."""
    from pydub.utils import audioop

    model = load_model(model_dir, strict=False)
    times = []
    for i in range(rounds):
        pcm8 = audioop.ulaw2lin(SILENCE * 50 + answers[i % len(answers)] + SILENCE * 25, 2)
        pcm, _ = audioop.ratecv(pcm8, 2, 1, 8000, model.sample_rate, None)
        started = time.perf_counter()
        rec = vosk.KaldiRecognizer(model.vosk_model, model.sample_rate, model.grammar("yes_no"))
        rec.AcceptWaveform(pcm)
        json.loads(rec.FinalResult())
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


async def one_call(bench: Bench, ids: list[int], answers: list[bytes], updated: set[str]) -> None:
    await asyncio.sleep(random.uniform(0, PROMPT_S + THINK_S + 1))  # calls do not start in step
    for attempt_id in ids:
        answer = random.choice(answers)
        audio = SILENCE * round((PROMPT_S + THINK_S) * 50) + answer
        done = asyncio.Event()
        sid = f"CA{attempt_id:032d}"

        async def watch(sid: str = sid, done: asyncio.Event = done) -> None:
            deadline = time.monotonic() + 15
            while sid not in updated and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            done.set()

        watcher = asyncio.create_task(watch())
        await caller(bench, attempt_id, audio, until=done)
        await watcher


async def level(bench: Bench, n: int, turns: int, answers: list[bytes]) -> dict[str, object]:
    ids = questions(bench.db, n * turns)
    updated: set[str] = set()

    async def follow() -> None:
        seen = 0
        while True:
            for _, path in bench.api.updates[seen:]:
                updated.add(path.rsplit("/", 1)[-1].removesuffix(".json"))
            seen = len(bench.api.updates)
            await asyncio.sleep(0.01)

    follower = asyncio.create_task(follow())
    assert bench.proc is not None
    cpu0, wall0 = cpu_seconds(bench.proc.pid), time.monotonic()
    await asyncio.gather(
        *(one_call(bench, ids[i * turns : (i + 1) * turns], answers, updated) for i in range(n))
    )
    cpu, wall = cpu_seconds(bench.proc.pid) - cpu0, time.monotonic() - wall0
    follower.cancel()
    mine = set(ids)
    rows = [h for h in bench.heard() if h.attempt_id in mine]
    server = stats([float(h.server_ms) for h in rows if h.server_ms is not None])
    return {"calls": n, "answers": len(rows), "expected": n * turns, "server_ms": server,
            "wall_s": round(wall, 1), "ear_cpu_s": round(cpu, 1),
            "cpu_per_call_pct": round(100 * cpu / wall / n, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[8, 16, 32, 48, 64])
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ear-") as tmp:
        root = Path(tmp)
        model_dir = ensure_standin_model(root / "models")
        answers = [ulaw(w, root) for w in ("네", "아니요")]
        decode = decode_seconds(model_dir, answers)
        interval = PROMPT_S + THINK_S + sum(len(a) for a in answers) / len(answers) / 8000 + 0.5
        cores = os.cpu_count() or 1
        limit = cores * interval / decode
        where = "PostgreSQL" if args.database_url else "SQLite"
        print(f"on a shared, busy {cores}-core machine (callers and ear share the cores); database: {where}")
        print(f"baseline: Vosk decodes one answer in {decode * 1000:.1f} ms; turn interval {interval:.1f} s; "
              f"limit = {cores} × {interval:.1f} / {decode:.4f} = {limit:.0f} calls")  # fmt: skip
        best = 0
        with ear_bench(root / "line", model_dir, args.database_url) as bench:
            for n in args.levels:
                result = asyncio.run(level(bench, n, args.turns, answers))
                p95 = result["server_ms"].get("p95", 1e9)  # type: ignore[union-attr]
                print(json.dumps(result, ensure_ascii=False))
                if p95 > 300 or result["answers"] < result["expected"]:
                    print(f"N={n}: p95 {p95} ms or answers lost: past the limit")
                    break
                best = n
        print(
            f"capacity: {best} calls at p95 ≤ 300 ms; ratio to the decode limit {best / limit:.0%} "
            f"(target ≥ 80%)"
        )


if __name__ == "__main__":
    main()
