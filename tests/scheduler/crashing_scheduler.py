"""A scheduler process that stops dead at one point of placing a call, for `kill -9` tests.

Usage: python -m tests.scheduler.crashing_scheduler AT STAGE — settings come from the environment. STAGE is
"claimed" (tasks claimed, no call placed), "placed" (the gateway created the call, its id not yet stored) or
"recorded" (the call's id stored). It prints "STOPPED <stage> <task id>" and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime

from dialer.gateway.client import CallInfo
from dialer.model import open_database
from dialer.scheduler import build_dialer
from dialer.scheduler.placing import Placer
from dialer.scheduler.tick import PlannedCall
from dialer.settings import load_settings


class StoppingPlacer(Placer):
    """The real placer, stopped dead at `stage`."""

    stage = ""

    def place(self, call: PlannedCall, now: datetime) -> bool:
        self._stop("claimed", call)
        return super().place(call, now)

    def dial(self, call: PlannedCall) -> CallInfo:
        info = super().dial(call)
        self._stop("placed", call)
        return info

    def record(self, call: PlannedCall, info: CallInfo) -> None:
        super().record(call, info)
        self._stop("recorded", call)

    def _stop(self, where: str, call: PlannedCall) -> None:
        if where == self.stage:
            print(f"STOPPED {where} {call.task_id}", flush=True)
            time.sleep(3600)


def main(at: str, stage: str) -> None:
    settings = load_settings()
    dialer = build_dialer(settings, open_database(settings.database_url))
    assert dialer.gateway is not None
    placer = StoppingPlacer(settings, dialer.db, dialer.gateway, dialer.rules, dialer.worker)
    placer.stage = stage
    dialer.placer = placer
    dialer.tick(datetime.fromisoformat(at))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
