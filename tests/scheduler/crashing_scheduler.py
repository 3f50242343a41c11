"""A scheduler process that stops dead at one point of placing a call, for `kill -9` tests.

Usage: python -m tests.scheduler.crashing_scheduler AT STAGE — settings come from the environment. STAGE is
"claimed" (tasks claimed, no call placed), "placed" (the gateway created the call, its id not yet stored) or
"recorded" (the call's id stored). It prints "STOPPED <stage> <task id>" and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime

from dialer.model import open_database
from dialer.scheduler import build_dialer
from dialer.scheduler.tick import PlannedCall
from dialer.settings import load_settings


def main(at: str, stage: str) -> None:
    settings = load_settings()
    dialer = build_dialer(settings, open_database(settings.database_url))

    def hook(where: str, call: PlannedCall) -> None:
        if where == stage:
            print(f"STOPPED {where} {call.task_id}", flush=True)
            time.sleep(3600)

    dialer.hook = hook
    dialer.tick(datetime.fromisoformat(at))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
