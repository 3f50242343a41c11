"""`dialer` speaks Chinese to the person at the terminal: every command's --help, click's own usage errors
(unknown command or option, a missing or wrong value) and `dialer doctor`'s table. Command and option names,
environment variables, placeholders, file names and a few terms used as they are (JSON, CSV, SHA-256 …) are
identifiers, not English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dialer.cli import main

TERMS = {"JSON", "jsonl", "CSV", "csv", "XLSX", "Excel", "DOCX", "docx", "TOML", "toml", "WAV", "MP3", "UTF", "GBK",
         "SHA", "TwiML", "Twilio", "Vosk", "Ogg", "Opus", "waitress", "argon", "ISO8601", "UUID", "AWS", "HTTP",
         "ffmpeg", "espeak", "ng", "chinesecalendar", "dialer", "vosk", "model", "small", "cn", "zip",
         "YYYY", "MM", "DD", "HHMMSS", "audit", "head", "json", "var", "demo", "models", "ivr", "scripts",
         "SQLAlchemy", "SQLite", "SignalWire", "boto", "async", "sync", "off", "opus", "wav"}  # fmt: skip
IDENTIFIERS = [
    r"https?://\S+",  # addresses
    r"(?<![\w-])--?[a-z][\w-]*",  # options
    r"\b[A-Z][A-Z0-9_]+\b",  # placeholders and environment variables
    r"\[[^\]\n]*\|[^\]\n]*\]",  # the choices an option takes
    r"\[默认：[^\]\n]*\]",  # a default value as it is typed
    r"'[^'\n]*'",  # what the person typed, quoted back
    r"\b\w+_\w+\b",  # identifiers such as new_policy
    r"[\w./-]+\.(?:toml|json|zip|docx|xlsx|csv|wav)\b",  # file names
    r"(?:[\w.-]+/)+[\w.-]*",  # paths
]


def commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from commands(sub, (*path, name))


def choices(command: click.Command) -> Iterator[str]:
    for param in command.params:
        if isinstance(param.type, click.Choice):
            yield from (str(c) for c in param.type.choices)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from choices(sub)


# What is typed as it is: command names (each part of clear-stuck) and the values options choose from.
NAMES = {part for path in commands(main) for name in path for part in name.split("-")} | set(choices(main))


def english(text: str) -> list[str]:
    """Return the English words a person reads in `text`, identifiers and allowed terms aside."""
    for pattern in IDENTIFIERS:
        text = re.sub(pattern, " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in TERMS | NAMES})


def run(*args: str, tmp_path: Path) -> str:
    env = {"DIALER_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}", "DIALER_VAR_DIR": str(tmp_path),
           "COLUMNS": "200"}  # fmt: skip
    return CliRunner().invoke(main, list(args), prog_name="dialer", env=env).output


@pytest.mark.parametrize("path", sorted(commands(main)), ids=lambda p: " ".join(p) or "dialer")
def test_every_commands_help_is_chinese(path: tuple[str, ...], tmp_path: Path) -> None:
    out = run(*path, "--help", tmp_path=tmp_path)
    assert "用法：" in out and "选项" in out and "显示本说明并退出" in out, out
    assert english(out) == [], out


WRONG = [
    (("frobnicate",), "没有 'frobnicate' 这个命令"),
    (("report", "--mnth", "2026-11"), "没有 '--mnth' 这个选项"),
    (("import", "list.csv"), "缺少选项 '--type'"),
    (("import",), "缺少参数 'FILE'"),
    (("batches", "show", "abc"), "不是有效的数字"),
    (("tasks", "--status", "lost"), "不在可选范围内"),
    (("report", "--month"), "选项 '--month' 后面要写一个取值"),
    (("users", "set-role", "wang", "agent", "extra"), "多出了参数"),
    (("users",), "用法："),
]


@pytest.mark.parametrize(("args", "said"), WRONG, ids=lambda a: " ".join(a) if isinstance(a, tuple) else "")
def test_a_wrong_invocation_is_told_in_chinese(args: tuple[str, ...], said: str, tmp_path: Path) -> None:
    out = run(*args, tmp_path=tmp_path)
    assert said in out, out
    assert english(out) == [], out


def test_the_doctors_table_is_chinese(tmp_path: Path) -> None:
    out = run("doctor", tmp_path=tmp_path)
    assert "检查项" in out and "数据库" in out and "还是空的：请运行 dialer init" in out, out
    assert english(out) == [], out


def test_the_settings_table_is_chinese(tmp_path: Path) -> None:
    out = run("config", tmp_path=tmp_path)
    assert "环境变量" in out and "数据库地址" in out, out
    meanings = [
        line.split("│")[3] for line in out.splitlines() if line.startswith("│")
    ]  # values are as typed
    assert len(meanings) > 40 and english("\n".join(meanings)) == [], out


def test_the_reader_finds_english_but_not_identifiers() -> None:
    assert (
        english(
            "用法： dialer import [选项] FILE\n  --type 文本  任务类型代码，如 new_policy（见 config/task_types.toml）"
        )
        == []
    )
    assert english("错误：Missing option '--type'. Try 'dialer import -h' for help.") == [
        "Missing", "Try", "for", "help", "option"]  # fmt: skip
