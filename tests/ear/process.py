"""Run `dialer ear` as its own process, as in production, against a line's settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dialer.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ear_environment(settings: Settings, model_dir: Path) -> dict[str, str]:
    """Return the environment that gives a `dialer ear` process these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALER_", "TWILIO_", "VOSK_"))}
    env.update(
        DIALER_DATABASE_URL=settings.database_url, DIALER_PUBLIC_URL=settings.public_url,
        DIALER_GATEWAY_URL=settings.gateway_url, DIALER_GATEWAY_PROFILE=settings.gateway_profile,
        DIALER_EAR_URL=settings.ear_url, DIALER_RECORDINGS_DIR=str(settings.recordings_dir),
        DIALER_VAR_DIR=str(settings.var_dir), VOSK_MODEL_PATH=str(model_dir),
        DIALER_EAR_END_SILENCE_MS=str(settings.ear_end_silence_ms), DIALER_LOG_LEVEL="INFO",
    )  # fmt: skip
    return env


@contextmanager
def ear_process(settings: Settings, model_dir: Path, log: Path, threads: int = 2) -> Iterator[subprocess.Popen[bytes]]:
    """Start `dialer ear` on the port DIALER_EAR_URL names; wait until it accepts connections; stop it."""
    port = int(settings.ear_url.rsplit(":", 1)[1].split("/", 1)[0])
    command = [sys.executable, "-c", "from dialer.cli import run; run()", "ear", "--port", str(port), "--threads", str(threads)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=ear_environment(settings, model_dir), stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"dialer ear exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("dialer ear did not start listening within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
