"""Persona files: the shipped set loads, numbers find their persona, mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.emulator.personas import PersonaBook, PersonaError


def test_the_shipped_set_covers_the_answers_and_agents() -> None:
    book = PersonaBook.load(None)
    said = {r.say for p in book.personas for r in p.replies if r.say}
    assert {"是", "是的", "对", "否", "不是", "没有", "不清楚", "转人工", "네", "아니요"} <= said
    assert {p.outcome for p in book.personas} >= {"answer", "busy", "no-answer", "voicemail", "failed"}
    assert book.find("+862161230001").agent
    assert book.find("+15550001111").name == "default"


def test_exact_matches_win_over_patterns(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[[persona]]\npattern = "+86*"\nname = "glob"\n[[persona]]\nmatch = "+861"\nname = "exact"\n'
    )
    assert PersonaBook.load(path).find("+861").name == "exact"
    assert PersonaBook.load(path).find("+862").name == "glob"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[[persona]]\nmatch = "+1"\nanswer_afterr = 2\n', "answer_afterr"),
        ('[[persona]]\nmatch = "+1"\noutcome = "maybe"\n', "outcome"),
        ('[[persona]]\nname = "x"\n', "match, pattern or regex"),
        ('[[persona]]\nmatch = "+1"\nreplies = [{sing = "la"}]\n', "sing"),
        ('[[persona]]\nmatch = "+1"\nreplies = [{audio = "missing.wav"}]\n', "missing.wav"),
        ("[[persona]\n", "not valid TOML"),
        ('[[persona]]\nmatch = "+1"\nreplies = [{say = "是", barge_in = 1.5}]\n', "barge_in"),
    ],
)
def test_a_mistake_is_named(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(PersonaError, match=named.replace("+", r"\+")):
        PersonaBook.load(path)


def test_a_reply_can_be_slow_late_or_over_the_question(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[[persona]]\nmatch = "+1"\nreplies = [{say = "嗯", then = "是的", gap = 1.5}, {say = "是", silence = 2.5},'
        ' {say = "是", barge_in = 0.5}, {keys = "1"}]\n',
        encoding="utf-8",
    )
    slow, late, over, keys = PersonaBook.load(path).find("+1").replies
    assert (slow.then, slow.gap, slow.delay) == (("是的",), 1.5, 0.6)
    assert late.delay == 2.5 and over.barge_in == 0.5 and keys.delay == 1.0
