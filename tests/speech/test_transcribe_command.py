"""`dialer transcribe FILE` through the real console script, with VOSK_MODEL_PATH from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def _dialer(*args: str, model: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOSK_")}
    if model is not None:
        env["VOSK_MODEL_PATH"] = model
    script = Path(sys.executable).with_name("dialer")
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_it_prints_the_transcript_and_label(standin_dir: Path, phone_clip: Callable[[str], Path]) -> None:
    done = _dialer("transcribe", str(phone_clip("아니요")), model=str(standin_dir))

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["transcript"] == "不是的" and out["label"] == "no" and out["no_answer_reason"] is None


def test_bad_audio_prints_no_answer_with_its_reason(standin_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")

    out = json.loads(_dialer("transcribe", str(empty), model=str(standin_dir)).stdout)

    assert out["label"] == "unclear" and out["no_answer_reason"].startswith("empty")


def test_without_a_model_it_says_how_to_get_one(phone_clip: Callable[[str], Path]) -> None:
    done = _dialer("transcribe", str(phone_clip("네")))

    assert done.returncode == 1
    assert "错误：没有设置 VOSK_MODEL_PATH。请运行 dialer models download" in done.stderr
