"""How long the gateway's signed status webhooks wait while a 100,000-row list is imported from the upload page
on SQLite, against the same webhooks just before the upload (the baseline, measured in the same run).

    .venv/bin/python -m tests.benchmarks.bench_webhooks_during_import
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from tests.programme.test_a_big_upload_leaves_webhooks_answering import BASELINE, run_upload


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gateway = run_upload(Path(tmp))
    calm = sorted(seconds for _, seconds in gateway.baseline)
    busy = sorted(seconds for _, seconds in gateway.replies)
    codes = sorted({code for code, _ in gateway.replies})
    print(f"webhooks before the upload (baseline) {len(calm):5d}  median {statistics.median(calm):.3f} s  "
          f"slowest {calm[-1]:.3f} s")  # fmt: skip
    print(f"webhooks during the import            {len(busy):5d}  median {statistics.median(busy):.3f} s  "
          f"slowest {busy[-1]:.3f} s  over 1 s: {sum(1 for s in busy if s > 1)}  status codes {codes}")  # fmt: skip
    print(
        f"ratio slowest/baseline slowest {busy[-1] / calm[-1]:.1f}x, "
        f"median/baseline median {statistics.median(busy) / statistics.median(calm):.1f}x (baseline {BASELINE})"
    )


if __name__ == "__main__":
    main()
