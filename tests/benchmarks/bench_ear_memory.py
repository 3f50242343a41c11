"""Benchmark the memory of `dialer ear`: an idle process with its model loaded, and the increment per live call.

Run: .venv/bin/python tests/benchmarks/bench_ear_memory.py [--calls 10 40]
A real `dialer ear` process (the Chinese-labelled stand-in model of the Korean test model) is started and its
resident memory (VmRSS) read when idle; then N emulated gateways each hold a stream open in the middle of an
answer (the recognizer decoding, nothing final yet) and the RSS is read again: (RSS − idle) / N is the cost of
one live call. Baseline (same run): the RSS of a bare Python process that has imported the service and loaded
the same model, so the ratio shows what the ear adds to the model it must hold anyway.
The machine is shared and busy; memory figures barely depend on that.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dialer.speech import ensure_standin_model
from tests.benchmarks.ear_line import Bench, caller, ear_bench, questions, rss_kb
from tests.ear.conftest import ulaw_speech as ulaw

LOADER = (
    "import sys, time, dialer.cli, dialer.ear.server; from dialer.speech import load_model;"
    "m = load_model(sys.argv[1], strict=False); print('ready', flush=True); time.sleep(60)"
)


def bare_model_rss(model_dir: Path) -> int:
    """Return the RSS (kB) of a Python process holding the service's modules and the loaded model."""
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(model_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.readline()
    time.sleep(0.5)
    rss = rss_kb(proc.pid)
    proc.kill()
    proc.wait()
    return rss


async def hold_streams(bench: Bench, n: int, speech: bytes) -> int:
    """Open N streams, each mid-answer; return the ear's RSS (kB) while they all are live."""
    ids = questions(bench.db, n)
    release = asyncio.Event()
    audio = b"\xff" * 160 * 25 + speech  # the answer is still going on when the reading is taken
    tasks = [asyncio.create_task(caller(bench, i, audio, until=release)) for i in ids]
    await asyncio.sleep(len(audio) / 8000 + 1.0)
    assert bench.proc is not None
    rss = rss_kb(bench.proc.pid)
    release.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[10, 40])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ear-mem-") as tmp:
        root = Path(tmp)
        model_dir = ensure_standin_model(root / "models")
        # A long stretch of Korean the grammar does not hold: decoded, never settled.
        speech = ulaw("오늘 날씨가 아주 좋아서 산책을 하고 싶습니다 그리고 커피도 마시고", root)
        baseline = bare_model_rss(model_dir)
        print("on a shared, busy 2-core machine")
        print(
            f"baseline: a Python process with the service's modules and the model loaded: {baseline / 1024:.0f} MB"
        )
        with ear_bench(root / "line", model_dir) as bench:
            assert bench.proc is not None
            time.sleep(1.0)
            idle = rss_kb(bench.proc.pid)
            print(f"idle dialer ear: {idle / 1024:.0f} MB ({idle / baseline:.2f}x the baseline)")
            for n in args.calls:
                live = asyncio.run(hold_streams(bench, n, speech))
                per_call = (live - idle) / n
                print(f"{n} live calls: {live / 1024:.0f} MB; {per_call / 1024:.2f} MB per live call")


if __name__ == "__main__":
    main()
