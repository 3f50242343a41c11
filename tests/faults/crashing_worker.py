"""One pass of the recording worker as its own process, for `kill -9` tests.

Usage: python -m tests.faults.crashing_worker [STAGE] — settings come from the environment. Without a stage it
runs the pass and prints "STORED <n>". STAGE "written" stops it dead once the file is in the store but before
the database says so: it prints "STOPPED written" and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from dialer.gateway.client import Gateway
from dialer.model import open_database
from dialer.settings import load_settings
from dialer.worker import recordings


def main(stage: str) -> None:
    settings = load_settings()
    if stage == "written":
        kept = recordings.record_kept

        def stop(*args: Any) -> None:
            kept(*args)
            print("STOPPED written", flush=True)
            time.sleep(3600)

        recordings.record_kept = stop  # type: ignore[assignment]
    db = open_database(settings.database_url)
    stored = recordings.download_due_recordings(settings, db, Gateway(settings, retries=0))
    print(f"STORED {stored}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
