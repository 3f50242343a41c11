"""Who picked up? The identity answers of a real phone, through `dialer classify --kind identity`.

Only the customer in person may hear the matter, so a yes must be a plain first-person confirmation
(or key 1). Spouses, children, colleagues, "他不在", "我帮他接" are the wrong person, however the sentence
starts; fillers, questions back and silence are unclear and asked again.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dialer.cli import main
from dialer.policy.classify import classify
from dialer.policy.lexicon import THIRD_PARTY, WEAK_YES

TABLE = Path(__file__).resolve().parents[1] / "data" / "identity_answers.csv"
with TABLE.open(encoding="utf-8", newline="") as _fh:
    ROWS = list(csv.DictReader(_fh))
FIRST_PERSON_YES = ["是", "是的", "是我", "我就是", "本人", "对，我是", "是我本人", "没错"]


def _cli(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["classify", "--kind", "identity", *args])
    assert result.exit_code == 0, result.output
    out: dict[str, object] = json.loads(result.output)
    return out


def test_the_table_holds_at_least_100_answers_of_every_sort() -> None:
    labels = [row["label"] for row in ROWS]
    assert len(ROWS) >= 100
    assert labels.count("no") >= 50 and labels.count("unclear") >= 25 and labels.count("yes") >= 20


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['answer'] or 'silence'}|{r['keys']}" for r in ROWS])
def test_an_identity_answer_gets_its_verdict(row: dict[str, str]) -> None:
    out = _cli("--keys", row["keys"], row["answer"])

    assert out["label"] == row["label"], (row["who"], out)


@pytest.mark.parametrize("text", ["是他爱人", "是她女儿", "嗯，他在开会", "嗯", "是他家属", "对对，是他家"])
def test_the_answers_the_issue_names_are_never_yes_through_the_console_script(text: str) -> None:
    script = Path(sys.executable).with_name("dialer")
    done = subprocess.run(
        [str(script), "classify", "--kind", "identity", text],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] != "yes"


@given(
    yes=st.sampled_from(FIRST_PERSON_YES),
    third=st.sampled_from(THIRD_PARTY),
    filler=st.sampled_from(["", "嗯，", "喂，", "啊，", "您好，"]),
    before=st.booleans(),
)
def test_a_third_person_anywhere_makes_a_yes_the_wrong_person(
    yes: str, third: str, filler: str, before: bool
) -> None:
    text = f"{filler}{third}，{yes}" if before else f"{filler}{yes}，{third}"

    assert classify(text, "identity").label == "no", text


@given(st.lists(st.sampled_from([*WEAK_YES, "喂", "啊", "你好", "您好", "你说", "请讲", "好的"]), max_size=4))
def test_fillers_alone_are_never_a_yes(words: list[str]) -> None:
    text = "，".join(words)

    assert classify(text, "identity").label == "unclear", text


@pytest.mark.parametrize("keys", ["1", "2", "0"])
def test_keys_still_win_over_speech(keys: str) -> None:
    expected = {"1": "yes", "2": "no", "0": "agent"}[keys]

    assert classify("嗯", "identity", keys=keys).label == expected
