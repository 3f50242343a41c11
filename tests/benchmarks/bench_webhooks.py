"""Benchmark the IVR webhooks over real HTTP on 127.0.0.1.

Run: .venv/bin/python tests/benchmarks/bench_webhooks.py [--calls 50] [--plain 400]

1. The answer turn: from receiving the <Record> action to returning TwiML, including fetching the clip
   over HTTP (from a small local clip server) and transcribing it with the stand-in Vosk model. CALLS
   callers answer at once from as many threads, each driving its own call through every question with
   signed requests against the app served by a threaded werkzeug server. Printed: p50 and p95, and how
   many answers were heard (the rest ran past DIALER_ANSWER_BUDGET and were treated as unclear).
2. A plain TwiML webhook: the first /ivr/voice request of a call (signature check, database, flow start,
   TwiML), one request at a time, against a bare Flask endpoint returning a constant TwiML document
   served the same way in the same run. Printed: p50 and p99 of both and their ratio.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask, Response
from sqlalchemy import func, select
from werkzeug.serving import make_server

from dialer.app import create_app
from dialer.emulator.server import QuietHandler
from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, Customer, Task, migrate, open_database
from dialer.settings import PROJECT_ROOT, Settings
from dialer.speech import ensure_standin_model, load_model

CONSTANT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="cmn-CN" voice="Polly.Zhiyu">'
    "您好！这里是安信客户服务中心。</Say><Hangup /></Response>"
)
TURN = re.compile(r"turn=(\d+)")
# Korean yes, then the last answer no (the kickback question is bad on 是): the stand-in hears 是 / 不是的.
ANSWERS = ["네"] * 7 + ["아니요"]


def call_sid(attempt_id: int) -> str:
    return f"CA{attempt_id:032x}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free port in a thread (threaded, as `dialer serve` in development)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class LateApp:
    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)


def make_clips(folder: Path) -> dict[str, bytes]:
    """Speak each answer with espeak-ng and convert it to 8 kHz µ-law WAV, as a gateway records it."""
    clips = {}
    for word in set(ANSWERS):
        raw, out = folder / f"{word}.raw.wav", folder / f"{word}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), word], check=True)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-ar", "8000", "-ac", "1",
                        "-acodec", "pcm_mulaw", str(out)], check=True)  # fmt: skip
        clips[word] = out.read_bytes()
    return clips


def clip_server(clips: dict[str, bytes]) -> Flask:
    app = Flask("clips")

    @app.get("/clips/<word>/<sid>.wav")
    def clip(word: str, sid: str) -> Response:
        return Response(clips[word], mimetype="audio/x-wav")

    return app


def add_calls(settings: Settings, n: int) -> list[int]:
    """Insert n customers, tasks and answered attempts; return the attempt ids."""
    db = open_database(settings.database_url)
    now = datetime.now(UTC)
    ids = []
    with db.session() as s, s.begin():
        first = s.scalar(select(func.count()).select_from(Customer)) or 0
        for i in range(first, first + n):
            customer = Customer(name=f"客户{i}", phone=f"+86139{i:08d}", gender="男")
            task = Task(customer=customer, type="new_policy", script="new_policy", event_at=now - timedelta(days=3),
                        earliest_at=now - timedelta(days=3), status="dialling")  # fmt: skip
            attempt = Attempt(task=task, number=1, to_number=customer.phone, script="new_policy",
                              status="in-progress", placed_at=now)  # fmt: skip
            s.add(attempt)
            s.flush()
            attempt.call_sid = call_sid(attempt.id)
            ids.append(attempt.id)
    db.dispose()
    return ids


class Signer:
    """Sign and send webhooks as the gateway does, one keep-alive session per thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.local = threading.local()

    def post(self, url: str, form: dict[str, str]) -> requests.Response:
        session = getattr(self.local, "s", None) or requests.Session()
        self.local.s = session
        sig = compute_signature(url, form, self.settings.twilio_auth_token)
        return session.post(url, data=form, headers={"X-Twilio-Signature": sig}, timeout=60)


def drive_call(
    signer: Signer, web: str, clips_url: str, attempt_id: int, times: list[float], heard: list[bool]
) -> None:
    """Open one call and answer every question, timing each answer turn."""
    form = {"CallSid": call_sid(attempt_id), "CallStatus": "in-progress"}
    body = signer.post(f"{web}/ivr/voice?a={attempt_id}", form).text
    for n, word in enumerate(ANSWERS):
        turn = TURN.search(body)
        if turn is None:
            return
        sid = f"RE{attempt_id:016x}{n:016x}"
        answer = {**form, "RecordingUrl": f"{clips_url}/clips/{word}/{sid}", "RecordingSid": sid,
                  "RecordingDuration": "2", "Digits": ""}  # fmt: skip
        started = time.perf_counter()
        reply = signer.post(f"{web}/ivr/answer?a={attempt_id}&turn={turn.group(1)}", answer)
        times.append(time.perf_counter() - started)
        body = reply.text
        heard.append("没有听清" not in body)


def bench_answers(settings: Settings, speech: object, calls: int, tmp: Path) -> None:
    clips = make_clips(tmp)
    holder = LateApp()
    with serve(clip_server(clips)) as clips_url, serve(holder) as web:
        s = settings.replace(public_url=web)
        holder.app = create_app(s, speech=speech)
        ids = add_calls(s, calls)
        signer = Signer(s)
        times: list[float] = []
        heard: list[bool] = []
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=calls) as pool:
            list(pool.map(lambda a: drive_call(signer, web, clips_url, a, times, heard), ids))
        wall = time.perf_counter() - started
    ms = [t * 1000 for t in times]
    print(f"answer turn, {calls} concurrent calls, {len(ms)} turns in {wall:.1f} s "
          f"(clip fetched over HTTP + stand-in Vosk + {settings.database_url.split(':')[0]}):")  # fmt: skip
    print(f"  p50 {percentile(ms, 50):8.1f} ms   p95 {percentile(ms, 95):8.1f} ms   max {max(ms):8.1f} ms")
    print(f"  heard within the {settings.answer_budget_seconds:g} s budget: {sum(heard)}/{len(heard)}")


def time_requests(send: Callable[[int], requests.Response], n: int) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        reply = send(i)
        out.append((time.perf_counter() - started) * 1000)
        assert reply.status_code == 200, reply.text[:200]
    return out


def bench_plain(settings: Settings, n: int) -> None:
    bare = Flask("bare")
    bare.add_url_rule("/voice", "voice", lambda: Response(CONSTANT, mimetype="text/xml"), methods=["POST"])
    holder = LateApp()
    with serve(bare) as bare_url, serve(holder) as web:
        s = settings.replace(public_url=web)
        holder.app = create_app(s)
        ids = add_calls(s, n)
        signer = Signer(s)
        plain = requests.Session()
        form = {"CallSid": "CA" + "0" * 32, "CallStatus": "in-progress"}
        time_requests(lambda i: plain.post(f"{bare_url}/voice", data=form), 50)  # warm up both
        base = time_requests(lambda i: plain.post(f"{bare_url}/voice", data=form), n)
        ours = time_requests(lambda i: signer.post(f"{web}/ivr/voice?a={ids[i]}", {
            "CallSid": call_sid(ids[i]), "CallStatus": "in-progress"}), n)  # fmt: skip
    b50, b99, o50, o99 = (
        percentile(base, 50),
        percentile(base, 99),
        percentile(ours, 50),
        percentile(ours, 99),
    )
    print(f"plain TwiML webhook, {n} sequential requests each:")
    print(f"  bare Flask constant TwiML  p50 {b50:7.2f} ms   p99 {b99:7.2f} ms")
    print(f"  /ivr/voice (first request) p50 {o50:7.2f} ms   p99 {o99:7.2f} ms")
    print(f"  ratio /ivr/voice ÷ bare    p50 {o50 / b50:7.1f} x   p99 {o99 / b99:7.1f} x")
    print(f"  mean {statistics.mean(ours):.2f} ms vs {statistics.mean(base):.2f} ms")


@contextmanager
def database(postgres: str, tmp: Path) -> Iterator[str]:
    """Yield a SQLite file URL, or a URL on a fresh PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--plain", type=int, default=400)
    parser.add_argument("--postgres", default="", help="run on a throw-away schema of this PostgreSQL URL")
    parser.add_argument(
        "--budget", type=float, default=None, help="DIALER_ANSWER_BUDGET in seconds (default: the setting's)"
    )
    args = parser.parse_args()
    import logging

    logging.getLogger("dialer").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp_dir, database(args.postgres, Path(tmp_dir)) as url:
        tmp = Path(tmp_dir)
        print(f"database: {url.split('?')[0]}")
        settings = Settings(
            database_url=url, recordings_dir=tmp / "rec", var_dir=tmp / "var", log_level="ERROR"
        )
        if args.budget is not None:
            settings = replace(settings, answer_budget_seconds=args.budget)
        migrate(open_database(settings.database_url))
        speech = load_model(ensure_standin_model(PROJECT_ROOT / "var" / "models"), strict=False)
        bench_plain(settings, args.plain)
        bench_answers(settings, speech, args.calls, tmp)


if __name__ == "__main__":
    main()
