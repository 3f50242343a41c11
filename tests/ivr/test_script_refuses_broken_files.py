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
        ["[prompts] 的字段 closing", "缺少此项"],
    ),
    ("missing question text", ('text = "第二个问题？"\n', ""), ["问题 q2 的字段 text", "缺少此项"]),
    ("duplicate question id", ('id = "q2"', 'id = "q1"'), ["问题 q1 的字段 id", "重复使用"]),
    (
        "unknown kind",
        ('kind = "understanding"', 'kind = "opinion"'),
        ["问题 q2 的字段 kind", "未知的问题类型 'opinion'", "yes_no"],
    ),
    (
        "bad_answer not yes/no",
        ('bad_answer = "yes"', 'bad_answer = "maybe"'),
        ["问题 q4 的字段 bad_answer", "'maybe'", "yes, no"],
    ),
    (
        "unknown placeholder",
        ("第一个问题？", "{customer}第一个问题？"),
        ["问题 q1 的字段 text", "未知占位符 {customer}", "{customer_name}"],
    ),
    (
        "matter before identity",
        ("这里是{company}。", "这里是{company}，关于{product}。"),
        ["[prompts] 的字段 greeting", "{product} 会在确认本人身份之前说出"],
    ),
    (
        "required not a bool",
        ("required = false", 'required = "no"'),
        ["问题 q3 的字段 required", "true 或 false"],
    ),
    (
        "unknown field",
        ("escalate_on_bad = true", "escalate_on_bda = true"),
        ["问题 q4", "未知字段 'escalate_on_bda'"],
    ),
    (
        "id is not the file name",
        ('id = "tiny"', 'id = "other"'),
        ["字段 id", "必须与文件名 'tiny' 相同"],
    ),
    (
        "missing identity",
        ('[identity]\ntext = "请问是{customer_name}{honorific}本人吗？"\n', ""),
        ["表 [identity]", "缺少此表"],
    ),
    (
        "missing audio file",
        ('id = "q1"\n', 'id = "q1"\nprompt_audio = "q1.wav"\n'),
        ["问题 q1 的字段 prompt_audio", "q1.wav 不存在"],
    ),
    ("max_reasks too big", ("max_reasks = 2", "max_reasks = 9"), ["字段 max_reasks", "0 到 5"]),
    (
        "format spec",
        ("第一个问题？", "{customer_name!r}第一个问题？"),
        ["问题 q1 的字段 text", "不能带格式说明"],
    ),
    ("bad braces", ("第一个问题？", "第一个{问题？"), ["问题 q1 的字段 text", "花括号有误"]),
    ("not TOML", ("[identity]", "[identity"), ["不是有效的 TOML"]),
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
    with pytest.raises(ScriptError, match="必须是 audio/ 文件夹里的文件名"):
        load_script(path)


def test_a_missing_folder_says_how_to_point_at_one(tmp_path: Path) -> None:
    _, problems = check_scripts(tmp_path / "nowhere")
    assert problems == [f"{tmp_path / 'nowhere'}：没有这个话术文件夹；请指定文件夹或设置 DIALER_SCRIPTS_DIR"]
