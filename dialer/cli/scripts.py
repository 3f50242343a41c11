"""`dialer scripts check` and `dialer scripts show`: validate and read the IVR scripts (话术)."""

from __future__ import annotations

from pathlib import Path

import click

from dialer.cli import Context, pass_ctx
from dialer.errors import DialerError, ScriptError
from dialer.ivr.script import Script, check_scripts, load_script

DIR_TYPE = click.Path(file_okay=False, path_type=Path)


def register(group: click.Group) -> None:
    """Add this module's commands to the `dialer` group."""
    group.add_command(scripts)


@click.group()
def scripts() -> None:
    """Validate and read the IVR scripts in ivr_scripts/."""


@scripts.command("check")
@click.argument("directory", required=False, type=DIR_TYPE)
@pass_ctx
def check(ctx: Context, directory: Path | None) -> None:
    """Validate every script in a folder and list each problem.

    DIRECTORY defaults to DIALER_SCRIPTS_DIR (ivr_scripts/). The configured folder is also checked against config/task_types.toml: every task type's script
    must be in it.
    """
    folder = directory or ctx.settings.scripts_dir
    found, problems = check_scripts(folder)
    if found and folder.resolve() == ctx.settings.scripts_dir.resolve():
        problems += _unknown_task_scripts(ctx, found)
    for problem in problems:
        click.echo(f"✗ {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {folder}; fix them and run this again")
    click.echo(f"✓ {len(found)} scripts are valid in {folder}: {', '.join(sorted(found))}")


def _unknown_task_scripts(ctx: Context, found: dict[str, Script]) -> list[str]:
    """Return one problem per task type whose default script is not among the scripts found."""
    try:
        types = ctx.task_types()
    except DialerError as exc:
        return [f"task types: {exc}"]
    return [
        f"task type {tid!r} uses script {rules.script!r}, which is not in the folder; "
        f"add {rules.script}.toml or change 'script' in config/task_types.toml"
        for tid, rules in sorted(types.items())
        if rules.script not in found
    ]


@scripts.command("show")
@click.argument("script_id")
@click.option("--dir", "directory", type=DIR_TYPE, help="Folder of scripts (default: DIALER_SCRIPTS_DIR).")
@pass_ctx
def show(ctx: Context, script_id: str, directory: Path | None) -> None:
    """Print a script's lines and questions in call order."""
    folder = directory or ctx.settings.scripts_dir
    path = folder / f"{script_id}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
        raise ScriptError(f"no script {script_id!r} in {folder}; known scripts: {known}")
    for line in describe(load_script(path)):
        click.echo(line)


def describe(script: Script) -> list[str]:
    """Return the lines `scripts show` prints for a script."""
    lines = [
        f"{script.id}: {script.name}",
        f"  task types: {', '.join(script.task_types)}   re-asks at most: {script.max_reasks}",
        f"  greeting: {script.prompt('greeting')}",
        f"  recording notice: {script.prompt('recording_notice')}",
        f"  identity: {script.identity.text}",
        f"  introduction: {script.prompt('introduction')}",
        "  questions:",
    ]
    for n, q in enumerate(script.questions, start=1):
        flags = [q.kind, f"bad on {'是' if q.bad_answer == 'yes' else '否'}"]
        flags += ["required"] if q.required else ["optional"]
        flags += ["escalates when bad"] if q.escalate_on_bad else []
        flags += [f"audio {q.prompt_audio}"] if q.prompt_audio else []
        lines.append(f"  {n}. [{q.id}] {q.text}")
        lines.append(f"     ({', '.join(flags)})")
    for name in ("closing", "wrong_person_close", "escalation", "agent_unavailable", "elderly_offer"):
        lines.append(f"  {name.replace('_', ' ')}: {script.prompt(name)}")
    return lines
