"""Benchmark the IVR's pure part: what one answer turn costs in deciding and rendering, over the bare minimum.

Run: .venv/bin/python tests/benchmarks/bench_ivr.py
Measured: per turn, rebuild the state from its stored JSON, `flow.step()`, `twiml.render()`, and dump the
new state to JSON — everything an answer webhook does besides HTTP, the database and speech.
Baseline (same run): render a constant two-verb document (<Say> + <Hangup>) with the same SDK builder,
the least any TwiML webhook must do per request.
Also: loading and validating the whole ivr_scripts/ folder (done once per process).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from twilio.twiml.voice_response import VoiceResponse

from dialer.ivr.flow import Answer, CallContext, State, start, step
from dialer.ivr.script import load_scripts
from dialer.ivr.twiml import Urls, render
from dialer.settings import PROJECT_ROOT

CALLS = 2_000
CTX = CallContext(
    customer_name="张伟",
    honorific="先生",
    company="平安人寿",
    product="金福终身寿险",
    event_date="2024年3月5日",
)
URLS = Urls(answer="https://ivr.example.com/ivr/answer?a=1", queue_wait="https://ivr.example.com/ivr/wait",
            audio_base="https://ivr.example.com/ivr/audio")  # fmt: skip
# A realistic call: identity, one re-ask, a 否, the rest 是 (the last question is bad on 是, so 否).
ANSWERS = ["yes", "yes", "unclear", "yes", "no", "yes", "yes", "yes", "no"]


def per_call(fn: Callable[[], int]) -> tuple[list[float], int]:
    """Run `fn` CALLS times; return per-turn times in µs and the turns per call."""
    samples: list[float] = []
    turns = 0
    for _ in range(CALLS):
        t0 = time.perf_counter()
        turns = fn()
        samples.append((time.perf_counter() - t0) / turns * 1e6)
    return samples, turns


def one_call() -> int:
    """Play one new_policy call through storage, step and render; return its turns."""
    script = SCRIPTS["new_policy"]
    state, current = start(script, CTX)
    render(current, URLS, voice="Polly.Zhiyu")
    stored = json.dumps(state.to_dict())
    turns = 1
    for label in ANSWERS:
        state, current = step(script, State.from_dict(json.loads(stored)), Answer(label), CTX)
        render(current, URLS, voice="Polly.Zhiyu")
        stored = json.dumps(state.to_dict())
        turns += 1
        if current.hangup:
            break
    return turns


def constant_twiml() -> int:
    """Render a constant <Say> + <Hangup> document ten times, as ten turns."""
    for _ in range(10):
        r = VoiceResponse()
        r.say("非常感谢您的配合，祝您身体健康，再见！", voice="Polly.Zhiyu", language="cmn-CN")
        r.hangup()
        r.to_xml(xml_declaration=True)
    return 10


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1]


def main() -> None:
    t0 = time.perf_counter()
    for _ in range(20):
        load_scripts(PROJECT_ROOT / "ivr_scripts")
    load_ms = (time.perf_counter() - t0) / 20 * 1000
    base, _ = per_call(constant_twiml)
    ivr, turns = per_call(one_call)
    print(f"IVR turn (state JSON → step → render → JSON), {CALLS} calls × {turns} turns:")
    print(f"  p50 {pct(ivr, 50):7.1f} µs   p95 {pct(ivr, 95):7.1f} µs   p99 {pct(ivr, 99):7.1f} µs")
    print("baseline: constant <Say>+<Hangup> rendered with the same builder:")
    print(f"  p50 {pct(base, 50):7.1f} µs   p95 {pct(base, 95):7.1f} µs   p99 {pct(base, 99):7.1f} µs")
    print(f"ratio IVR turn / baseline at p50: {pct(ivr, 50) / pct(base, 50):.2f}×")
    print(f"load + validate all {len(SCRIPTS)} scripts: {load_ms:.2f} ms")


SCRIPTS = load_scripts(PROJECT_ROOT / "ivr_scripts")

if __name__ == "__main__":
    main()
