"""Benchmark how short `<Record timeout>` can be before answers are cut off, to tune DIALER_RECORD_TIMEOUT.

Run: .venv/bin/python tests/benchmarks/bench_record_timeout.py [--timeouts 1 2 3 4]
Measured: for each timeout, the claim script's calls (identity + 5 questions) at speed 1 through the whole
line (web app, dialler, emulator over HTTP, the real Vosk stand-in model), one customer of each kind: one
who answers at once, ones who think 1.5, 2, 2.5 and 3 s before answering, and slow ones who say "음 …… 네"
with a pause of 0.8, 1.2 or 1.6 s inside the answer. A `<Record>` ends after `timeout` seconds without
sound (counted from its start, as Twilio's does), so a long think or a long pause inside the answer ends the
clip too early. "cut" counts the recordings that ended before the customer had finished speaking (read from
the emulator's log of when each persona spoke), "lost" the answers heard as nothing or as unclear and asked
again (the stand-in model hears a lone "음" as 是, so a cut slow answer is not always lost: it is wrong). Also
the dead air after each answer (see bench_dead_air.py), which the timeout sets.
Baseline (same run): timeout 4, the old default. The tuned value is the shortest timeout that loses no
answer off for the customers who think for at most 2.5 s or pause at most 1.6 s; the 3 s thinker shows
the edge.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_dead_air import KINDS, PathResult, pct, run_path

from dialer.settings import PROJECT_ROOT
from dialer.speech import ensure_standin_model, load_model

EDGE = ("thinks-3s", '{say = "네", silence = 3.0}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeouts", type=int, nargs="+", default=[1, 2, 3, 4])
    args = parser.parse_args()
    model = load_model(ensure_standin_model(PROJECT_ROOT / "var" / "models"), strict=False)
    kinds = [*KINDS, EDGE]
    print(f"{len(kinds)} calls per timeout at speed 1 (real time), the timeouts side by side, on a shared, busy "
          "2-core machine")  # fmt: skip
    with ThreadPoolExecutor(max_workers=len(args.timeouts)) as pool:
        runs = {
            t: pool.submit(run_path, f"record-{t}", {"record_timeout": t}, len(kinds), model, kinds)
            for t in args.timeouts
        }
        results = {t: run.result() for t, run in runs.items()}
    report(results, [k for k, _ in KINDS])


def report(results: dict[int, PathResult], kept: list[str]) -> None:
    base = results.get(4)
    print(f"{'timeout':>7}{'answers':>8}{'cut':>5}{'cut (kept kinds)':>18}{'lost':>6}{'dead air median':>17}"
          f"{'p95':>6}   ratio to timeout 4")  # fmt: skip
    tuned = None
    for t in sorted(results):
        r = results[t]
        cut_kept = sum(n for kind, n in r.cut.items() if kind in kept)
        med, p95 = statistics.median(r.gaps), pct(r.gaps, 95)
        ratio = f"median {med / statistics.median(base.gaps):4.2f}x" if base and base is not r else ""
        print(f"{t:>7}{r.asked:>8}{sum(r.cut.values()):>5}{cut_kept:>18}{sum(r.lost.values()):>6}{med:>17.2f}"
              f"{p95:>6.2f}   {ratio}")  # fmt: skip
        print(f"{'':>9}cut off, by customer: {_nonzero(r.cut)}; asked again, by customer: {_nonzero(r.lost)}")
        if cut_kept == 0 and tuned is None:
            tuned = t
    print(f"shortest timeout that cut off no answer (thinking ≤ 2.5 s, pausing ≤ 1.6 s): {tuned}")


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v} or {"none": 0}


if __name__ == "__main__":
    main()
