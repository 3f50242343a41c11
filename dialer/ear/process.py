"""Start `dialer ear` as a process of its own with the settings of the process that starts it (the demo, tests),
or in a thread of this process (`ear_in_thread`, for tests that share one loaded model).

A separate process keeps its decoding off the starter's interpreter lock, as in production, where the ears
run beside `dialer serve` and are reached through a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dialer.ear.server import Ear, listen
from dialer.settings import Settings

START_SECONDS = 60.0


def environment(settings: Settings, model_path: Path) -> dict[str, str]:
    """Return an environment that gives a new process exactly these settings and this speech model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALER_", "TWILIO_", "VOSK_"))}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        env[f.metadata["env"]] = ",".join(value) if isinstance(value, tuple) else str(value)
    env["VOSK_MODEL_PATH"] = str(model_path)
    return env


def port_of(ear_url: str) -> int:
    """Return the port a ws:// URL names."""
    netloc = ear_url.split("//", 1)[1].split("/", 1)[0]
    return int(netloc.rsplit(":", 1)[1])


@contextmanager
def ear_process(
    settings: Settings, model_path: Path, log: Path, threads: int = 2
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `dialer ear` on the port DIALER_EAR_URL names until the block ends; fail if it does not listen."""
    port = port_of(settings.ear_url)
    command = [sys.executable, "-c", "from dialer.cli import run; run()", "ear", "--port", str(port),
               "--threads", str(threads)]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=environment(settings, model_path), stdout=out, stderr=out)
    try:
        _wait_listening(proc, port, log)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dialer ear exited at start: {log.read_text(errors='replace')[-1500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dialer ear did not listen on port {port} within {START_SECONDS:.0f} s")


@contextmanager
def ear_in_thread(ear: Ear, host: str, port: int) -> Iterator[None]:
    """Serve streams from a thread of this process (the demo, benchmarks); stop and close it on exit."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stopping: list[asyncio.Event] = []

    async def serve_until_stopped() -> None:
        stop = asyncio.Event()
        stopping.append(stop)
        started = asyncio.Event()
        task = asyncio.create_task(listen(ear, host, port, started))
        await started.wait()
        ready.set()
        await stop.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    thread = threading.Thread(target=loop.run_until_complete, args=(serve_until_stopped(),), daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError(f"dialer ear did not start listening on {host}:{port}")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stopping[0].set)
        thread.join(15)
        loop.close()
        ear.close()
