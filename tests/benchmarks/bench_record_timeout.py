"""Benchmark how short `<Record timeout>` can be before answers are cut off, to tune DIALER_RECORD_TIMEOUT.

Run: .venv/bin/python tests/benchmarks/bench_record_timeout.py [--timeouts 1 2 3 4]
Measured: for each timeout, the claim script's calls (identity + 5 questions) at speed 1 through the whole
line (web app, dialler, emulator over HTTP, the real Vosk stand-in model), one customer of each kind: one
who answers at once, ones who think 1.5, 2, 2.5 and 3 s before answering, and slow ones who say "음 …… 네"
with a pause of 0.8, 1.2 or 1.6 s inside the answer. A `<Record>` ends after `timeout` seconds without
sound (counted from its start, as Twilio's does), so a long think or a long pause inside the answer ends the
clip too early: the answer is heard as nothing or as unclear and is asked again ("lost"). Also the dead air
after each answer (see bench_dead_air.py), which the timeout sets.
Baseline (same run): timeout 4, the old default. The tuned value is the shortest timeout that loses no
answer of the customers who think for at most 2.5 s or pause at most 1.6 s; the 3 s thinker shows the edge.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_dead_air import KINDS, PathResult, pct, run_path  # noqa: E402

from dialer.settings import PROJECT_ROOT  # noqa: E402
from dialer.speech import ensure_standin_model, load_model  # noqa: E402

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
    print(f"{'timeout':>7}{'asked':>7}{'lost':>6}{'lost (≤2.5 s think)':>21}{'dead air median':>17}{'p95':>6}   "
          "ratio to timeout 4")  # fmt: skip
    tuned = None
    for t in sorted(results):
        r = results[t]
        lost_kept = sum(n for kind, n in r.lost.items() if kind in kept)
        med, p95 = statistics.median(r.gaps), pct(r.gaps, 95)
        ratio = f"median {med / statistics.median(base.gaps):4.2f}x" if base and base is not r else ""
        print(f"{t:>7}{r.asked:>7}{sum(r.lost.values()):>6}{lost_kept:>21}{med:>17.2f}{p95:>6.2f}   {ratio}")
        print(f"{'':>7}  lost by customer: {r.lost}")
        if lost_kept == 0 and tuned is None:
            tuned = t
    print(f"shortest timeout that cut off no answer (thinking ≤ 2.5 s, pausing ≤ 1.6 s): {tuned}")


if __name__ == "__main__":
    main()
