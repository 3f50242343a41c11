"""Benchmark the answer classifier: what the identity rules (a second scan for third persons) cost.

Run: .venv/bin/python tests/benchmarks/bench_classify.py
Baseline (same run): the same answers classified as a plain yes/no question, which every answer costs anyway.
The answers are the identity table the tests use (tests/data/identity_answers.csv), repeated.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

from dialer.policy.classify import classify

TABLE = Path(__file__).resolve().parents[1] / "data" / "identity_answers.csv"
ROUNDS = 200


def timed(fn: Callable[[], object]) -> float:
    """Return the best of three wall times of `fn`, in seconds."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(texts: list[str], kind: str) -> None:
    for _ in range(ROUNDS):
        for text in texts:
            classify(text, kind)


def main() -> None:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        texts = [row["answer"] for row in csv.DictReader(fh)]
    n = len(texts) * ROUNDS
    base = timed(lambda: run(texts, "yes_no"))
    identity = timed(lambda: run(texts, "identity"))
    print(f"yes_no (baseline):          {n / base:12,.0f} answers/s  {base / n * 1e6:6.1f} µs each")
    print(
        f"identity (+ third persons): {n / identity:12,.0f} answers/s  {identity / n * 1e6:6.1f} µs each"
        f"  ratio {identity / base:4.2f}x"
    )


if __name__ == "__main__":
    main()
