"""A broken script is refused with a message naming the file, the question and the field, and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.errors import ScriptError
from dialer.ivr.script import check_scripts, load_script

from .helpers import TINY, write_script

BROKEN = [
    # name, (old, new) edit of the tiny script, fragments the message must hold
    (
        "missing closing",
        ('closing = "非常感谢您的配合，祝您身体健康，再见！"\n', ""),
        ["[prompts] field 'closing'", "is missing"],
    ),
    ("missing question text", ('text = "第二个问题？"\n', ""), ["question 'q2' field 'text'", "is missing"]),
    ("duplicate question id", ('id = "q2"', 'id = "q1"'), ["question 'q1' field 'id'", "used twice"]),
    (
        "unknown kind",
        ('kind = "understanding"', 'kind = "opinion"'),
        ["question 'q2' field 'kind'", "unknown kind 'opinion'", "yes_no"],
    ),
    (
        "bad_answer not yes/no",
        ('bad_answer = "yes"', 'bad_answer = "maybe"'),
        ["question 'q4' field 'bad_answer'", "'maybe'", "yes, no"],
    ),
    (
        "unknown placeholder",
        ("第一个问题？", "{customer}第一个问题？"),
        ["question 'q1' field 'text'", "unknown placeholder {customer}", "{customer_name}"],
    ),
    (
        "matter before identity",
        ("这里是{company}。", "这里是{company}，关于{product}。"),
        ["[prompts] field 'greeting'", "{product} is spoken before identity"],
    ),
    (
        "required not a bool",
        ("required = false", 'required = "no"'),
        ["question 'q3' field 'required'", "true or false"],
    ),
    (
        "unknown field",
        ("escalate_on_bad = true", "escalate_on_bda = true"),
        ["question 'q4'", "unknown field 'escalate_on_bda'"],
    ),
    (
        "id is not the file name",
        ('id = "tiny"', 'id = "other"'),
        ["field 'id'", "must equal the file name 'tiny'"],
    ),
    (
        "missing identity",
        ('[identity]\ntext = "请问是{customer_name}{honorific}本人吗？"\n', ""),
        ["table [identity]", "is missing"],
    ),
    (
        "missing audio file",
        ('id = "q1"\n', 'id = "q1"\nprompt_audio = "q1.wav"\n'),
        ["question 'q1' field 'prompt_audio'", "q1.wav does not exist"],
    ),
    ("max_reasks too big", ("max_reasks = 2", "max_reasks = 9"), ["field 'max_reasks'", "0 to 5"]),
    (
        "format spec",
        ("第一个问题？", "{customer_name!r}第一个问题？"),
        ["question 'q1' field 'text'", "takes no format spec"],
    ),
    ("bad braces", ("第一个问题？", "第一个{问题？"), ["question 'q1' field 'text'", "bad braces"]),
    ("not TOML", ("[identity]", "[identity"), ["not valid TOML"]),
]


@pytest.mark.parametrize(("edit", "fragments"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_script_is_refused_with_a_clear_message(
    tmp_path: Path, edit: tuple, fragments: list
) -> None:
    old, new = edit
    assert old in TINY
    path = write_script(tmp_path, TINY.replace(old, new, 1))
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_every_problem_of_a_folder_is_listed_not_just_the_first(tmp_path: Path) -> None:
    write_script(
        tmp_path, TINY.replace('kind = "understanding"', 'kind = "opinion"').replace('"yes"', '"maybe"')
    )
    write_script(tmp_path, TINY.replace('id = "tiny"', 'id = "good"'), name="good")
    found, problems = check_scripts(tmp_path)
    assert list(found) == ["good"]
    assert len(problems) == 2 and all("tiny.toml" in p for p in problems)


def test_an_existing_audio_file_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "q1.wav").write_bytes(b"RIFF")
    script = load_script(
        write_script(tmp_path, TINY.replace('id = "q1"\n', 'id = "q1"\nprompt_audio = "q1.wav"\n'))
    )
    assert script.question("q1").prompt_audio == "q1.wav"


def test_an_audio_name_may_not_leave_the_audio_folder(tmp_path: Path) -> None:
    path = write_script(tmp_path, TINY.replace('id = "q1"\n', 'id = "q1"\nprompt_audio = "../tiny.toml"\n'))
    with pytest.raises(ScriptError, match="must be a file name inside audio/"):
        load_script(path)


def test_a_missing_folder_says_how_to_point_at_one(tmp_path: Path) -> None:
    _, problems = check_scripts(tmp_path / "nowhere")
    assert problems == [
        f"{tmp_path / 'nowhere'}: no such folder of scripts; pass the folder or set DIALER_SCRIPTS_DIR"
    ]
