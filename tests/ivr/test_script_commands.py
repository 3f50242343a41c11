"""`dialer scripts check [DIR]` and `dialer scripts show ID`, as an operator runs them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dialer.cli import main

from .helpers import TINY, write_script


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_check_passes_on_the_shipped_scripts() -> None:
    result = _run("scripts", "check")
    assert result.exit_code == 0, result.output
    assert "18 个话术都没有问题" in result.output and "new_policy" in result.output


def test_check_names_each_problem_and_fails(tmp_path: Path) -> None:
    write_script(tmp_path, TINY.replace('kind = "understanding"', 'kind = "opinion"'))
    write_script(
        tmp_path, TINY.replace('id = "tiny"', 'id = "dup"').replace('id = "q2"', 'id = "q1"'), name="dup"
    )
    result = _run("scripts", "check", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'tiny.toml'}：问题 q2 的字段 kind：未知的问题类型 'opinion'" in result.output
    assert f"{tmp_path / 'dup.toml'}：问题 q1 的字段 id" in result.output
    assert "错误：" in result.output and "中有 2 个问题" in result.output


def test_check_on_the_configured_folder_wants_a_script_for_every_task_type(tmp_path: Path) -> None:
    write_script(tmp_path)
    result = _run("scripts", "check", env={"DIALER_SCRIPTS_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "task type 'claim' uses script 'claim', which is not in the folder" in result.output


def test_check_of_another_folder_only_checks_its_files(tmp_path: Path) -> None:
    write_script(tmp_path)
    assert _run("scripts", "check", str(tmp_path)).exit_code == 0


def test_show_prints_the_questions_in_order() -> None:
    result = _run("scripts", "show", "new_policy")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "new_policy: 新契约回访（人身保险）"
    numbered = [line for line in lines if re.match(r"\s*\d+\. \[", line)]
    assert len(numbered) == 15 and "[no_extra_promise]" in numbered[-1]  # with the insured's signature
    assert "bad on 是, required, escalates when bad" in result.output


@pytest.mark.parametrize(
    "args", [["scripts", "show", "nope"], ["scripts", "show", "tiny", "--dir", "/nonexistent"]]
)
def test_show_of_an_unknown_script_lists_the_known_ones(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "错误：" in result.output and "中没有话术" in result.output and "现有的话术：" in result.output
