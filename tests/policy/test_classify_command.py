"""`dialer classify` through the real console script, on the three answers every deployment must get right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _classify(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("dialer")
    return subprocess.run(
        [str(script), "classify", *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("text", "label"), [("不是很清楚", "no"), ("没问题", "yes"), ("转人工", "agent")])
def test_the_three_reference_answers(text: str, label: str) -> None:
    done = _classify(text)

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["label"] == label and out["matched"]


def test_kind_and_bad_answer_options() -> None:
    out = json.loads(_classify("--kind", "satisfaction", "--bad", "no", "一般吧").stdout)

    assert (out["label"], out["is_bad"], out["kind"]) == ("no", True, "satisfaction")


def test_an_unknown_kind_is_a_usage_error() -> None:
    done = _classify("--kind", "age", "是")

    assert done.returncode == 2 and "'age' 不在可选范围内" in done.stderr
