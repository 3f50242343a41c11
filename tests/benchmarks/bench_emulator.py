"""Benchmark: 100 simulated calls at once against the emulator, over real HTTP with real audio.

Run: .venv/bin/python tests/benchmarks/bench_emulator.py [--calls 100] [--speed 10]
Prints calls completed per minute and CPU use, against a baseline measured in the same run: the same
call placed alone, one at a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twilio.rest import Client  # noqa: E402

from dialer.emulator import Emulator, run_emulator  # noqa: E402
from dialer.settings import Settings  # noqa: E402
from tests.emulator.ivr import FakeIvr, serve_ivr, twiml  # noqa: E402

PERSONA = '[[persona]]\npattern = "+86138*"\nname = "yes"\nanswer_after = 2\nreplies = [{say = "是的"}, {keys = "1"}]\n'
SCRIPT = (
    '<Say language="zh-CN">您好，这里是回访中心，本次通话将被录音。</Say>'
    '<Record action="/rec" timeout="2" maxLength="10" finishOnKey="#"/>'
)
AFTER = '<Gather numDigits="1" timeout="3" action="/key"><Say language="zh-CN">请按键</Say></Gather>'


def cpu() -> float:
    """CPU seconds used by this process and its finished children (espeak-ng, ffmpeg)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_batch(emu: Emulator, client: Client, ivr: FakeIvr, n: int, offset: int) -> tuple[float, float]:
    """Place n calls at once and wait for all to end; return (wall seconds, CPU seconds)."""
    wall, used = time.monotonic(), cpu()
    sids = [
        client.calls.create(
            to=f"+86138{offset + i:08d}",
            from_="+862161234567",
            url=f"{ivr.url}/voice",
            record=True,
            recording_channels="dual",
        ).sid
        for i in range(n)
    ]
    while not all((c := emu.engine.store.call(s)) is not None and c.ended for s in sids):
        time.sleep(0.05)
    bad = [s for s in sids if emu.engine.store.call(s).status != "completed"]  # type: ignore[union-attr]
    if bad:
        raise SystemExit(f"{len(bad)} calls did not complete, e.g. {bad[0]}")
    return time.monotonic() - wall, cpu() - used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--baseline-calls", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "p.toml").write_text(PERSONA, encoding="utf-8")
        settings = Settings(var_dir=tmp_path / "var")
        with (
            serve_ivr(settings.twilio_auth_token) as ivr,
            run_emulator(
                settings, personas=tmp_path / "p.toml", speed=args.speed, data_dir=tmp_path / "emu", cps=1000
            ) as emu,
        ):
            ivr.route("/voice")(lambda f: twiml(SCRIPT))
            ivr.route("/rec")(lambda f: twiml(AFTER))
            ivr.route("/key")(lambda f: twiml('<Say language="zh-CN">谢谢，再见</Say><Hangup/>'))
            client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
            client.api.base_url = emu.url
            run_batch(emu, client, ivr, 1, 0)  # warm the speech cache
            base_wall, base_cpu = 0.0, 0.0
            for i in range(args.baseline_calls):
                w, c = run_batch(emu, client, ivr, 1, 10 + i)
                base_wall, base_cpu = base_wall + w, base_cpu + c
            wall, used = run_batch(emu, client, ivr, args.calls, 1000)
            call_seconds = next(c.duration for c in emu.engine.store.calls() if c.duration) or 0
    cores = os.cpu_count() or 1
    base_rate = args.baseline_calls / base_wall * 60
    rate = args.calls / wall * 60
    print(
        f"machine: {cores} cores; speed {args.speed:g}x; each call lasts about {call_seconds} s of call time"
    )
    print(f"baseline, one call at a time ({args.baseline_calls} calls): {base_rate:8.1f} calls/min, "
          f"{base_wall / args.baseline_calls:.2f} s wall and {base_cpu / args.baseline_calls:.3f} CPU s per call")  # fmt: skip
    print(f"{args.calls} calls at once:                        {rate:8.1f} calls/min, "
          f"{wall:.2f} s wall, {used:.2f} CPU s ({used / args.calls:.3f} per call), "
          f"CPU use {100 * used / wall / cores:.0f}% of {cores} cores")  # fmt: skip
    print(f"ratio: {rate / base_rate:.1f}x the calls per minute of the one-at-a-time baseline")


if __name__ == "__main__":
    main()
