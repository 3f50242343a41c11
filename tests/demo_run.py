"""One `dialer demo --json` run as a real process: shared by the tests that read the demo (see tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dialer.settings import PROJECT_ROOT


def run_demo(root: Path, *options: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `dialer demo --json` as a real process into `root` (with `env` added); return the summary it printed."""
    console = Path(sys.executable).with_name("dialer")
    done = subprocess.run(
        [str(console), "demo", "--json", "--dir", str(root), *options],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=480, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)  # the whole of stdout is one JSON object
    return summary
