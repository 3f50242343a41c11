"""Two dialling processes' worth of passes never have more calls in flight than DIALER_MAX_CONCURRENT_CALLS."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from dialer.emulator import run_emulator
from dialer.model import Database
from dialer.scheduler import build_dialer
from dialer.scheduler.tick import Dialer
from dialer.settings import Settings
from tests.scheduler.conftest import PERSONAS
from tests.scheduler.helpers import AT, phones, seed_tasks, serve_app

CAP = 3


def test_calls_in_flight_never_exceed_the_cap(db: Database, settings: Settings, tmp_path: Path) -> None:
    seed_tasks(db, phones("+86136", 12))  # they never answer: each call rings DIALER_RING_TIMEOUT, then ends
    personas = tmp_path / "personas.toml"
    personas.write_text(PERSONAS, encoding="utf-8")
    with run_emulator(settings, personas=personas, speed=2.0, data_dir=tmp_path / "emu", cps=100) as emu:
        base = settings.replace(gateway_url=emu.url, max_concurrent_calls=CAP, max_calls_per_second=50.0,
                                ring_timeout=1)  # fmt: skip
        with serve_app(base) as served:
            dialers = [build_dialer(served, db) for _ in range(2)]
            for i, d in enumerate(dialers):
                d.worker = f"process-{i}"
            peak, done = [0], threading.Event()

            def watch() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], sum(1 for c in emu.engine.store.calls() if not c.ended))
                    time.sleep(0.01)

            def run(d: Dialer) -> None:
                while not done.is_set():
                    d.tick(AT)
                    time.sleep(0.05)

            threads = [threading.Thread(target=watch)] + [
                threading.Thread(target=run, args=(d,)) for d in dialers
            ]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 30
            while len(emu.calls()) < 12 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)
            done.set()
            for t in threads:
                t.join(10)
    assert len(emu.calls()) == 12  # every task was dialled, a few at a time
    assert peak[0] == CAP  # the cap was reached, and never passed
